/**
 * A step's `output:` as the executor needs it: the format, where the file goes (a fixed path,
 * checked against the project directory now, or an eta template checked when written), the
 * language of a code block, the compiled JSON Schema and the validator commands.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import type { Diagnostic, DocumentPath } from "../config/diagnostic.js";
import type { LoadedPipeline } from "../config/load-config.js";
import type { Command, Pipeline } from "../generated/pipeline.js";
import { languageOfFile } from "./languages.js";
import { defaultValidatorTimeoutMs, type OutputSchema, type StepOutput, type TemplateSource, type ValidatorCommand } from "./model.js";
import { compileOutputSchema } from "./output-schema.js";
import { isInside, realPathOf } from "./project-directory.js";

type StepConfig = Pipeline["steps"][string];
type Report = (documentPath: DocumentPath, message: string, extra?: Partial<Diagnostic>) => void;


export async function readStepOutput(
  loaded: LoadedPipeline,
  projectDirectory: string,
  name: string,
  step: StepConfig,
  fanOut: boolean,
  report: Report,
): Promise<StepOutput> {
  const config = step.output ?? {};
  const at = (...rest: (string | number)[]): DocumentPath => ["steps", name, "output", ...rest];
  const format = config.format ?? "text";
  const file = config.file === undefined ? undefined : await resolveFile(loaded, projectDirectory, config.file, at("file"), fanOut, report);
  let language: string | undefined;
  if (format === "code") {
    language = config.language ?? step.language ?? loaded.pipeline.defaults?.language ?? (config.file ? languageOfFile(config.file) : undefined);
    if (language === undefined) {
      report(at("format"), "format code needs a language to find the code block", { suggestion: "set output.language (or the step's language), or give output.file an extension" });
    }
  } else if (config.language !== undefined) {
    report(at("language"), "output.language applies to format code only", { suggestion: "set format: code, or remove language" });
  }
  let schema: OutputSchema | undefined;
  if (config.schema !== undefined) {
    if (format !== "json") report(at("schema"), "output.schema applies to format json only", { suggestion: "set format: json" });
    else schema = await readSchema(loaded, config.schema, at("schema"), report);
  }
  const validators = (config.validate ?? []).flatMap((command, index) => {
    const parsed = readCommand(command);
    const itemPlaceholder = fanOut ? undefined : /\{item(_index)?\}/.exec(parsed.argv.join(" "));
    if (itemPlaceholder) {
      report(at("validate", index), `${itemPlaceholder[0]} is the item of a for_each step, and steps.${name} has no for_each`, { suggestion: `add for_each to steps.${name}, or remove ${itemPlaceholder[0]}` });
      return [];
    }
    const quoted = parsed.shell ? /(['"])\{(file|dir|name|provider|model|item|item_index)\}\1/.exec(parsed.argv[0]!) : null;
    if (quoted) {
      report(at("validate", index), `do not quote ${quoted[0].slice(1, -1)} in a shell command: orch replaces it with a quoted variable`, {
        suggestion: `write ${quoted[0].slice(1, -1)} without quotes`,
      });
      return [];
    }
    return [parsed];
  });
  return { format, ...(file ? { file } : {}), ...(language ? { language } : {}), ...(schema ? { schema } : {}), validators, passEnv: config.pass_env ?? [] };
}

async function resolveFile(loaded: LoadedPipeline, projectDirectory: string, file: string, where: DocumentPath, fanOut: boolean, report: Report): Promise<StepOutput["file"]> {
  if (file.includes("<%")) {
    const template: TemplateSource = { text: file, origin: { kind: "inline", file: loaded.file, path: where } };
    return { file, template };
  }
  if (fanOut) {
    report(where, "every item of a for_each step would write the same file", { suggestion: 'put the item in the path, e.g. "out/<%= it.index %>.md"' });
    return undefined;
  }
  const absolutePath = path.resolve(loaded.directory, file);
  if (!isInside(projectDirectory, absolutePath)) {
    report(where, `output file "${file}" is outside the project directory ${projectDirectory}`, {
      suggestion: "write outputs inside the project (paths are relative to the pipeline file)",
    });
    return undefined;
  }
  // A symbolic link on the way (a folder or the file itself) may lead out of the project: refused
  // now, before anything is paid, rather than when the answer is written.
  const [realProject, realPath] = await Promise.all([realPathOf(projectDirectory), realPathOf(absolutePath)]);
  if (!isInside(realProject, realPath)) {
    report(where, `output file "${file}" leads outside the project directory ${projectDirectory} through a symbolic link (to ${realPath})`, {
      suggestion: "write outputs inside the project, or replace the link with a real folder",
    });
    return undefined;
  }
  return { file, absolutePath };
}

async function readSchema(loaded: LoadedPipeline, source: object | string, where: DocumentPath, report: Report): Promise<OutputSchema | undefined> {
  let schema: unknown = source;
  const absolutePath = typeof source === "string" ? path.resolve(loaded.directory, source) : undefined;
  if (typeof source === "string" && absolutePath !== undefined) {
    try {
      const text = await readFile(absolutePath, "utf8");
      schema = /\.ya?ml$/i.test(source) ? parseYaml(text) : JSON.parse(text);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : `cannot be read: ${(error as Error).message}`;
      report(where, `schema file "${source}" ${reason}`, { suggestion: "paths are relative to the pipeline file" });
      return undefined;
    }
    if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
      report(where, `schema file "${source}" does not hold a JSON Schema object`);
      return undefined;
    }
  }
  try {
    return compileOutputSchema(schema as object, typeof source === "string" ? source : "inline", absolutePath);
  } catch (error) {
    report(where, `invalid output.schema: ${(error as Error).message}`, { suggestion: "it must be a JSON Schema (draft-07, or 2020-12 with $schema)" });
    return undefined;
  }
}

function readCommand(command: Command): ValidatorCommand {
  const line = typeof command === "object" && !Array.isArray(command) ? command.run : command;
  const timeoutMs = typeof command === "object" && !Array.isArray(command) && command.timeout_seconds ? command.timeout_seconds * 1000 : defaultValidatorTimeoutMs;
  const display = typeof command === "object" && !Array.isArray(command) && command.name ? command.name : Array.isArray(line) ? line.join(" ") : line;
  return typeof line === "string" ? { display, shell: true, argv: [line], timeoutMs } : { display, shell: false, argv: line, timeoutMs };
}
