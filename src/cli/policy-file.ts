/** Which routing policy a command uses: `--policy FILE`, else `routing-policies/default.yaml` under the working directory. */
import { existsSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors/orch-error.js";

export const defaultPolicyFile = path.join("routing-policies", "default.yaml");

export function policyFileOr(flag: string | undefined, workingDirectory = process.cwd()): string | undefined {
  if (flag !== undefined) return flag;
  return existsSync(path.join(workingDirectory, defaultPolicyFile)) ? defaultPolicyFile : undefined;
}

export function requirePolicyFile(flag: string | undefined, usage: string): string {
  const file = policyFileOr(flag);
  if (file === undefined) {
    throw new UsageError({ message: `no routing policy: ${defaultPolicyFile} does not exist here`, hint: `pass --policy FILE (usage: ${usage})` });
  }
  return file;
}
