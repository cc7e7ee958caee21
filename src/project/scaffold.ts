/**
 * `orch init`: copies the project template shipped in the package (templates/init/) into a folder.
 * Nothing is ever overwritten: every target is checked before the first file is written, so a
 * refused init leaves the folder as it was. `.gitignore` is the one exception that is *extended*
 * (missing lines appended), since most projects already have one.
 *
 * Template names starting with `dot-` become dot files (`dot-gitignore` → `.gitignore`): npm drops
 * or renames some dot files when packing, so the package must not ship them under their real names.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors/orch-error.js";

/** Two levels up from src/project/ (or dist/project/) is the package root, which ships templates/. */
export const initTemplateDirectory = fileURLToPath(new URL("../../templates/init/", import.meta.url));

const appendedFiles = new Set([".gitignore"]);

export interface ScaffoldResult {
  directory: string;
  /** Paths relative to the directory, in the order written. */
  created: string[];
  /** Existing files that received missing lines (only `.gitignore`). */
  extended: string[];
}

export function scaffoldProject(directory: string, templateDirectory = initTemplateDirectory): ScaffoldResult {
  const target = path.resolve(directory);
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new UsageError({ message: `${directory} exists and is not a folder`, hint: "give `orch init` a folder (new or existing)" });
  }
  const files = templateFiles(templateDirectory);
  const clashes = files.filter((file) => !appendedFiles.has(file.target) && existsSync(path.join(target, file.target)));
  if (clashes.length > 0) {
    throw new UsageError({
      message: `refusing to overwrite ${clashes.map((file) => path.join(directory, file.target)).join(", ")}`,
      hint: "nothing was written; move those files away, or run `orch init` in another folder",
    });
  }
  const result: ScaffoldResult = { directory: target, created: [], extended: [] };
  for (const file of files) {
    const destination = path.join(target, file.target);
    const content = readFileSync(file.source, "utf8");
    if (existsSync(destination)) {
      const existing = readFileSync(destination, "utf8");
      const missing = missingLines(existing, content);
      if (missing.length === 0) continue;
      appendFileSync(destination, `${existing.endsWith("\n") || existing === "" ? "" : "\n"}${missing.join("\n")}\n`);
      result.extended.push(file.target);
      continue;
    }
    mkdirSync(path.dirname(destination), { recursive: true });
    writeFileSync(destination, content, { flag: "wx" });
    result.created.push(file.target);
  }
  return result;
}

interface TemplateFile {
  source: string;
  /** Relative path in the new project, with `dot-` prefixes turned into dots. */
  target: string;
}

function templateFiles(templateDirectory: string, relative = ""): TemplateFile[] {
  const files: TemplateFile[] = [];
  for (const entry of readdirSync(path.join(templateDirectory, relative), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const entryPath = path.join(relative, entry.name);
    if (entry.isDirectory()) files.push(...templateFiles(templateDirectory, entryPath));
    else files.push({ source: path.join(templateDirectory, entryPath), target: entryPath.split(path.sep).map(undotted).join(path.sep) });
  }
  return files;
}

const undotted = (name: string): string => (name.startsWith("dot-") ? `.${name.slice("dot-".length)}` : name);

/** Lines of the template absent from the existing file; comments and blank lines are only added with an entry. */
function missingLines(existing: string, template: string): string[] {
  const present = new Set(existing.split(/\r?\n/).map((line) => line.trim()));
  const entries = template.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#") && !present.has(line.trim()));
  return entries.length === 0 ? [] : ["# orch", ...entries];
}
