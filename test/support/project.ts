/** Writes small projects (pipeline, policy, prompt files) into a temporary folder for CLI tests. */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repositoryRoot, temporaryDirectory } from "./cli.js";

export function writeProject(files: Record<string, string>): string {
  const directory = temporaryDirectory("orch-project-");
  // A package.json marks the project root, so output paths are checked against this folder.
  writeFileSync(path.join(directory, "package.json"), "{}\n");
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(directory, name)), { recursive: true });
    writeFileSync(path.join(directory, name), content);
  }
  return directory;
}

/** The quickstart example and the shipped policies, copied so a test run writes nothing into the repository. */
export function copyQuickstart(): string {
  const directory = temporaryDirectory("orch-quickstart-");
  cpSync(path.join(repositoryRoot, "examples/quickstart"), path.join(directory, "examples/quickstart"), { recursive: true });
  cpSync(path.join(repositoryRoot, "routing-policies"), path.join(directory, "routing-policies"), { recursive: true });
  writeFileSync(path.join(directory, "package.json"), "{}\n");
  return directory;
}

export const offlinePolicy = (extra = "") => `version: 1
providers:
  offline:
    type: mock
${extra}
models:
  cheap: { model: "offline:cheap", prices: { input: 1, output: 2 } }
  dear: { model: "offline:dear", prices: { input: 10, output: 30 } }
tiers:
  economy: [cheap]
  standard: [cheap, dear]
  premium: [dear, cheap]
`;

/**
 * One model, `mini` (gpt-4o-mini at $0.15/M in and $0.60/M out), on every tier, through the real
 * OpenAI SDK at the fake server (`FAKE_URL`), its key read from `keyVariable`.
 */
export const fakeOpenAiPolicy = (keyVariable: string) => `version: 1
providers:
  api: { type: openai, base_url: "\${FAKE_URL}/v1", api_key_env: ${keyVariable}, max_retries: 0 }
models:
  mini: { model: "api:gpt-4o-mini", prices: { input: 0.15, output: 0.6 } }
tiers:
  economy: [mini]
  standard: [mini]
  premium: [mini]
`;
