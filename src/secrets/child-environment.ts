/**
 * The environment of the programs orch starts: `validate:` commands (they run model-written code)
 * and `cli` providers. They get a short allowlist, enough for a shell and a toolchain to work,
 * plus the variables the pipeline or policy names in `pass_env`; nothing else of orch's
 * environment (API keys, cloud credentials, tokens) reaches them.
 */
import { isSecretVariable } from "./redact.js";

/** Documented in the README ("Security model"); keep both in step. */
export const inheritedVariables: readonly string[] = [
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "TERM", "NO_COLOR",
  "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR",
  // Windows needs these to start programs at all.
  "SYSTEMROOT", "SystemRoot", "COMSPEC", "ComSpec", "PATHEXT", "WINDIR", "USERPROFILE", "APPDATA", "LOCALAPPDATA",
];

/** Locale settings (`LC_ALL`, `LC_CTYPE`…) are inherited too. */
const inheritedPrefix = "LC_";

export function childEnvironment(env: Readonly<Record<string, string | undefined>>, passed: readonly string[] = []): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const allowed = (inheritedVariables.includes(name) || name.startsWith(inheritedPrefix)) && !isSecretVariable(name);
    if (allowed || passed.includes(name)) kept[name] = value;
  }
  return kept;
}
