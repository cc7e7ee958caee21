/** orch's own version, for the traces' `service.version` (package.json sits two folders up from src/ and dist/ alike). */
import { readFileSync } from "node:fs";

export const orchVersion: string = readVersion();

function readVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof manifest.version === "string" ? manifest.version : "unknown";
  } catch {
    return "unknown";
  }
}
