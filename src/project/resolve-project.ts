/**
 * The one answer to "which policy, database, results folder and environment does this command
 * use?", so every command resolves them alike. Precedence, strongest first:
 *
 *   policy     --policy  >  ORCH_POLICY  >  (a pipeline's own `policy:`)  >  orch.config.yaml `policy`
 *              >  routing-policies/default.yaml in the working directory
 *   database   --db  >  ORCH_DB  >  orch.config.yaml `database`  >  $ORCH_HOME/orch.db  >  ~/.orch/orch.db
 *              (each a SQLite file or a `postgres://` / `postgresql://` URL)
 *   results    --results  >  orch.config.yaml `results`  >  .orch/results in the working directory
 *   variables  the real environment  >  env files (orch.config.yaml `env_files`, later over earlier;
 *              default: .env of the project root, then .env of the working directory)
 *
 * ORCH_POLICY may itself come from an env file. Paths in orch.config.yaml start at its folder;
 * paths from flags and ORCH_POLICY at the working directory.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { loadProjectSettingsFile } from "../config/load-config.js";
import type { ProjectSettings } from "../generated/project-settings.js";
import { readEnvFiles } from "../config/env-file.js";
import { UsageError } from "../errors/orch-error.js";
import { findProjectDirectory } from "../pipeline/project-directory.js";
import { isPostgresUrl, storeLocation } from "../store/index.js";
import type { WorkspaceOptions } from "../workspace/load-workspace.js";
import { findProjectSettingsFile } from "./project-settings.js";

export const defaultPolicyFile = path.join("routing-policies", "default.yaml");

export interface Project {
  /** The folder of orch.config.yaml, else the nearest folder holding `.git` or `package.json`, else the working directory. */
  root: string;
  /** orch.config.yaml as the user would name it, when there is one. */
  settingsFile?: string;
  settings: ProjectSettings | undefined;
  /** The real environment over the env files: what `${VAR}` in policies and providers' keys see. */
  env: NodeJS.ProcessEnv;
  /** One line per env-file line that set nothing (`file:line:1 warning: …`), for commands to print. */
  envWarnings: string[];
  /** For commands without a pipeline (route, providers, budget, report); undefined when none is found. */
  policyFile(flag: string | undefined): string | undefined;
  /** Like `policyFile`, but a usage error (exit 2) saying how to name one when none is found. */
  requirePolicyFile(flag: string | undefined, usage: string): string;
  /** For validate, plan, run and watch: the override of the pipeline's `policy:` and the fallback without one. */
  workspaceOptions(flag: string | undefined): WorkspaceOptions;
  /** Where the store is: a SQLite file, or a PostgreSQL URL (as given, password included: print `OrchStore.location` instead). */
  databaseFile(flag: string | undefined): string;
  /** Undefined when neither the flag nor the settings name one: the executor's default applies. */
  resultsDirectory(flag: string | undefined): string | undefined;
}

export async function resolveProject(givenEnv: NodeJS.ProcessEnv, workingDirectory: string = process.cwd()): Promise<Project> {
  const settingsPath = findProjectSettingsFile(workingDirectory);
  const loaded = settingsPath === undefined ? undefined : await loadProjectSettingsFile(shown(settingsPath));
  const settings = loaded?.settings;
  const root = loaded?.directory ?? (await findProjectDirectory(workingDirectory));
  const fromSettings = (value: string | undefined): string | undefined => (value === undefined || loaded === undefined ? undefined : shown(path.resolve(loaded.directory, value)));

  const envFiles = settings?.env_files?.map((file) => path.resolve(root, file)) ?? [path.join(root, ".env"), path.join(path.resolve(workingDirectory), ".env")];
  const envFileContents = readEnvFiles(envFiles);
  const env: NodeJS.ProcessEnv = { ...envFileContents.values, ...givenEnv };
  const fromEnvironment = env.ORCH_POLICY?.trim() ? env.ORCH_POLICY.trim() : undefined;
  const override = (flag: string | undefined): string | undefined => flag ?? fromEnvironment;
  const fallback = (): string | undefined => fromSettings(settings?.policy) ?? (existsSync(path.resolve(workingDirectory, defaultPolicyFile)) ? shown(path.resolve(workingDirectory, defaultPolicyFile)) : undefined);

  const project: Project = {
    root,
    ...(loaded === undefined ? {} : { settingsFile: loaded.file }),
    settings,
    env,
    envWarnings: envFileContents.warnings,
    policyFile: (flag) => override(flag) ?? fallback(),
    requirePolicyFile(flag, usage) {
      const file = project.policyFile(flag);
      if (file === undefined) {
        throw new UsageError({
          message: `no routing policy: ${defaultPolicyFile} does not exist here`,
          hint: `pass --policy FILE, set ORCH_POLICY, or name one as \`policy:\` in orch.config.yaml (usage: ${usage})`,
        });
      }
      return file;
    },
    workspaceOptions(flag) {
      const policyFile = override(flag);
      const fallbackPolicyFile = fromSettings(settings?.policy);
      return {
        env,
        ...(policyFile === undefined ? {} : { policyFile }),
        ...(fallbackPolicyFile === undefined ? {} : { fallbackPolicyFile }),
        ...(settings?.name === undefined ? {} : { projectName: settings.name }),
      };
    },
    databaseFile: (flag) => storeLocation({ flag, env, setting: settings?.database === undefined || !isPostgresUrl(settings.database) ? fromSettings(settings?.database) : settings.database.trim() }),
    resultsDirectory: (flag) => {
      const directory = flag ?? fromSettings(settings?.results);
      return directory === undefined ? undefined : path.resolve(directory);
    },
  };
  return project;
}

/** Relative to the process's working directory when inside it, as the CLI shows paths. */
function shown(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative;
}
