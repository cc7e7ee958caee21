import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "../../src/config/diagnostic.js";
import type { Diagnostic } from "../../src/config/diagnostic.js";
import { parseYamlDocument } from "../../src/config/yaml-document.js";
import type { SourceDocument } from "../../src/config/yaml-document.js";

/** YAML text from one string per line, so a test reads with its line numbers in mind. */
export function yamlLines(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

export function parse(text: string, file = "config.yaml"): SourceDocument {
  return parseYamlDocument(file, text, path.resolve(file));
}

export async function temporaryDirectory(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), "orch-config-"));
}

export async function writeFixture(directory: string, name: string, text: string): Promise<string> {
  const file = path.join(directory, name);
  await writeFile(file, text);
  return file;
}

/** `line:column path: message` — the parts a user reads, without the file name. */
export function brief(diagnostic: Diagnostic): string {
  return `${diagnostic.line}:${diagnostic.column} ${diagnostic.path}: ${diagnostic.message}`;
}

/** The diagnostics of the ConfigError that `action` throws; fails when it throws something else. */
export async function configErrorOf(action: () => Promise<unknown>): Promise<readonly Diagnostic[]> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ConfigError) return error.diagnostics;
    throw error;
  }
  throw new Error("expected a ConfigError, but nothing was thrown");
}
