/**
 * Loads a pipeline or routing policy file: read → parse YAML with positions → validate against
 * the schema (→ for policies: expand environment variables, check cross-references). Every
 * problem in the file is collected before throwing, so one `orch validate` shows them all.
 */
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import type { Pipeline } from "../generated/pipeline.js";
import type { PolicyCases } from "../generated/policy-cases.js";
import type { ProjectSettings } from "../generated/project-settings.js";
import type { RoutingPolicy } from "../generated/routing-policy.js";
import { ConfigError } from "./diagnostic.js";
import type { Diagnostic } from "./diagnostic.js";
import { expandEnvironment, hideExpandedValues } from "./env-expansion.js";
import { checkPolicyCases } from "./policy-case-checks.js";
import { checkPolicySemantics } from "./policy-checks.js";
import { salvagePipeline } from "./salvage-pipeline.js";
import { withBudgetProject, type ProjectIdentity } from "./team-budget-checks.js";
import { validateAgainstSchema } from "./schema-validation.js";
import type { ConfigKind } from "./schema-validation.js";
import { closestMatch } from "./suggest.js";
import { decodeSourceText } from "./source-text.js";
import { parseYamlDocument } from "./yaml-document.js";
import type { SourceDocument } from "./yaml-document.js";

interface LoadedFile {
  /** As the user named it. */
  file: string;
  absolutePath: string;
  /** The file's directory: relative paths inside the file start here. */
  directory: string;
  document: SourceDocument;
}

export interface LoadedPipeline extends LoadedFile {
  kind: "pipeline";
  pipeline: Pipeline;
}

export interface LoadedPolicy extends LoadedFile {
  kind: "policy";
  /** With environment variables expanded; `document.value` keeps the text as written. */
  policy: RoutingPolicy;
}

/**
 * A pipeline that failed its schema, with the well-formed parts salvaged so that the checks after
 * the schema (needs, templates, files, models) can still run and report in the same pass.
 */
export class PipelineSchemaError extends ConfigError {
  constructor(
    diagnostics: readonly Diagnostic[],
    readonly salvaged: LoadedPipeline | undefined,
  ) {
    super(diagnostics);
  }
}

const kindHint = 'a pipeline has "steps:"; a routing policy has "providers:", "models:" and "tiers:"';

export function detectConfigKind(value: unknown): ConfigKind | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  if ("steps" in value) return "pipeline";
  if ("providers" in value || "tiers" in value || "models" in value) return "policy";
  return undefined;
}

export async function loadPipelineFile(file: string): Promise<LoadedPipeline> {
  return pipelineFrom(await readSourceDocument(file));
}

/**
 * `project`: the project the policy is loaded for (`resolveProject`), which names the ledger's
 * project when the budget needs one and does not name it (see `withBudgetProject`). Without it, a
 * budget naming a team but no project is an error.
 */
export async function loadPolicyFile(file: string, env: NodeJS.ProcessEnv = process.env, project: ProjectIdentity = {}): Promise<LoadedPolicy> {
  return policyFrom(await readSourceDocument(file), env, project);
}

export interface LoadedPolicyCases extends LoadedFile {
  kind: "cases";
  cases: PolicyCases;
}

/** A cases file for `orch policy test`, checked against its schema and against the policy it tests. */
export async function loadPolicyCasesFile(file: string, policy: LoadedPolicy): Promise<LoadedPolicyCases> {
  const document = await readSourceDocument(file);
  if (document.value === undefined) throw new ConfigError(document.diagnostics);
  const schemaDiagnostics = validateAgainstSchema(document, "cases");
  const diagnostics: Diagnostic[] = [...document.diagnostics, ...schemaDiagnostics];
  if (schemaDiagnostics.length === 0) diagnostics.push(...checkPolicyCases(document, document.value as PolicyCases, policy.policy, policy.file));
  if (diagnostics.length > 0) throw new ConfigError(diagnostics);
  return { kind: "cases", ...describeFile(document), cases: document.value as PolicyCases };
}

export interface LoadedProjectSettings extends LoadedFile {
  kind: "settings";
  settings: ProjectSettings;
}

/** `orch.config.yaml`, checked against its schema. */
export async function loadProjectSettingsFile(file: string): Promise<LoadedProjectSettings> {
  const document = await readSourceDocument(file);
  if (document.value === undefined) throw new ConfigError(document.diagnostics);
  const diagnostics = [...document.diagnostics, ...validateAgainstSchema(document, "settings")];
  if (diagnostics.length > 0) throw new ConfigError(diagnostics);
  return { kind: "settings", ...describeFile(document), settings: document.value as ProjectSettings };
}

export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env, project: ProjectIdentity = {}): Promise<LoadedPipeline | LoadedPolicy> {
  const document = await readSourceDocument(file);
  if (document.value === undefined) throw new ConfigError(document.diagnostics);
  const kind = detectConfigKind(document.value);
  if (kind === "pipeline") return pipelineFrom(document);
  if (kind === "policy") return policyFrom(document, env, project);
  const position = document.locate([]);
  throw new ConfigError([
    ...document.diagnostics,
    {
      file: document.file,
      line: position.line,
      column: position.column,
      path: "",
      message: "cannot tell whether this is a pipeline or a routing policy",
      // A list at the top is what policy cases look like; they are checked against their policy.
      suggestion: Array.isArray(document.value) ? `a list looks like policy cases: check them with \`orch policy test <policy> ${document.file}\`` : kindHint,
    },
  ]);
}

function pipelineFrom(document: SourceDocument): LoadedPipeline {
  if (document.value === undefined) throw new ConfigError(document.diagnostics);
  const diagnostics = [...document.diagnostics, ...validateAgainstSchema(document, "pipeline")];
  if (diagnostics.length > 0) {
    const salvaged = salvagePipeline(document.value);
    throw new PipelineSchemaError(diagnostics, salvaged && { kind: "pipeline", ...describeFile(document), pipeline: salvaged });
  }
  return { kind: "pipeline", ...describeFile(document), pipeline: document.value as Pipeline };
}

function policyFrom(document: SourceDocument, env: NodeJS.ProcessEnv, project: ProjectIdentity = {}): LoadedPolicy {
  if (document.value === undefined) throw new ConfigError(document.diagnostics);
  // Expand first: `base_url: "${HOST:-http://…}"` is only a URL once expanded.
  const expansion = expandEnvironment(document, document.value, env);
  const expanded: SourceDocument = { ...document, value: expansion.value };
  // A value whose variable is unset is already reported; its schema error would only repeat it.
  const unsetPaths = new Set(expansion.diagnostics.map((diagnostic) => diagnostic.path));
  const schemaDiagnostics = hideExpandedValues(validateAgainstSchema(expanded, "policy"), document.value).filter(
    (diagnostic) => !unsetPaths.has(diagnostic.path),
  );
  const diagnostics: Diagnostic[] = [...document.diagnostics, ...expansion.diagnostics, ...schemaDiagnostics];
  // Cross-reference checks need the shape the schema promises.
  if (schemaDiagnostics.length === 0) diagnostics.push(...checkPolicySemantics(expanded, expansion.value as RoutingPolicy));
  const withProject = withBudgetProject(document, expansion.value as RoutingPolicy, project);
  if (schemaDiagnostics.length === 0) diagnostics.push(...withProject.diagnostics);
  if (diagnostics.length > 0) throw new ConfigError(diagnostics);
  return { kind: "policy", ...describeFile(document), policy: withProject.policy };
}

function describeFile(document: SourceDocument): LoadedFile {
  return {
    file: document.file,
    absolutePath: document.absolutePath,
    directory: path.dirname(document.absolutePath),
    document,
  };
}

/** The file could not be read at all (missing, a directory, no permission): nothing inside it is to blame. */
export class FileReadError extends ConfigError {}

async function readSourceDocument(file: string): Promise<SourceDocument> {
  const absolutePath = path.resolve(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(absolutePath);
  } catch (error) {
    throw new FileReadError([await describeReadFailure(file, absolutePath, error)]);
  }
  const source = decodeSourceText(file, bytes);
  if (!source.ok) throw new ConfigError([source.diagnostic]);
  return parseYamlDocument(file, source.text, absolutePath);
}

async function describeReadFailure(file: string, absolutePath: string, error: unknown): Promise<Diagnostic> {
  const code = (error as NodeJS.ErrnoException).code;
  const at = (message: string, suggestion: string): Diagnostic => ({ file, line: 1, column: 1, path: "", message, suggestion });
  if (code === "ENOENT" || code === "ENOTDIR") {
    const directory = path.dirname(absolutePath);
    const neighbours = await readdir(directory).catch(() => [] as string[]);
    const match = closestMatch(path.basename(absolutePath), neighbours);
    const suggestion =
      match === undefined
        ? `check the path (relative paths start at ${process.cwd()})`
        : `did you mean "${path.join(path.dirname(file), match)}"?`;
    return at("file not found", suggestion);
  }
  if (code === "EISDIR") {
    const yamlFiles = (await readdir(absolutePath).catch(() => [] as string[])).filter((name) => /\.ya?ml$/.test(name));
    const example = yamlFiles[0] === undefined ? "" : `, for example "${path.join(file, yamlFiles[0])}"`;
    return at("this is a directory, not a file", `name a YAML file inside it${example}`);
  }
  if (code === "EACCES" || code === "EPERM") return at("cannot read the file: permission denied", "check the file's permissions");
  return at(`cannot read the file (${code ?? String(error)})`, "check that the path names a readable file");
}
