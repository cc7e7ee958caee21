/**
 * GitHub Actions: config errors as `::error` workflow commands (shown on the file's line in the
 * pull request), and where the job summary goes. Only when the runner says it is GitHub Actions.
 */
import path from "node:path";
import type { Diagnostic } from "../config/diagnostic.js";

export function inGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === "true";
}

/** The file named by `GITHUB_STEP_SUMMARY`, when running under GitHub Actions. */
export function jobSummaryFile(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.GITHUB_STEP_SUMMARY;
  return inGitHubActions(env) && file !== undefined && file.trim() !== "" ? file : undefined;
}

/** `::error file=pipelines/a.yaml,line=3,col=7,title=orch config error::message` — escaped as the runner expects. */
export function errorAnnotation(diagnostic: Diagnostic, env: NodeJS.ProcessEnv, workingDirectory: string = process.cwd()): string {
  const file = annotationPath(diagnostic.file, env, workingDirectory);
  const properties = [`file=${escapeProperty(file)}`, `line=${diagnostic.line}`, `col=${diagnostic.column}`, `title=${escapeProperty("orch config error")}`];
  const expected = diagnostic.expected ? ` (expected ${diagnostic.expected})` : "";
  const suggestion = diagnostic.suggestion ? ` — ${diagnostic.suggestion}` : "";
  const where = diagnostic.path ? `${diagnostic.path}: ` : "";
  return `::error ${properties.join(",")}::${escapeData(`${where}${diagnostic.message}${expected}${suggestion}`)}`;
}

/** Annotations are matched to files relative to the repository checkout (`GITHUB_WORKSPACE`). */
function annotationPath(file: string, env: NodeJS.ProcessEnv, workingDirectory: string): string {
  const root = env.GITHUB_WORKSPACE;
  if (!root) return file.split(path.sep).join("/");
  const relative = path.relative(root, path.resolve(workingDirectory, file));
  return (relative.startsWith("..") ? file : relative).split(path.sep).join("/");
}

// The runner's own escaping (actions/toolkit `command.ts`): data escapes %, CR, LF; properties also : and ,.
function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}
