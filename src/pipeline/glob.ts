/**
 * File globs for `for_each: { glob: … }` (Node 20 has no fs.glob). Patterns are relative to the
 * pipeline's folder and use `/`: `*` and `?` stay inside one path segment, `**` as a whole
 * segment spans any number of them, `[abc]`/`[!abc]` are character classes and `{a,b}` are
 * alternatives. Folders named `.git`, `node_modules` and `.orch` are not entered unless the
 * pattern names them. Only files are matched; results are sorted, so item order is stable.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";

export class GlobSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "GlobSyntaxError";
  }
}

export interface CompiledGlob {
  pattern: string;
  /** Matches a relative path with `/` separators. */
  regex: RegExp;
  /** The leading segments without wildcards: where the walk starts. */
  base: string;
  /** True when `**` appears: the walk goes into every depth. */
  recursive: boolean;
  depth: number;
}

const skippedFolders = new Set([".git", "node_modules", ".orch"]);

export function compileGlob(pattern: string): CompiledGlob {
  if (pattern.startsWith("/")) throw new GlobSyntaxError("a glob is relative to the pipeline file, not absolute", 0);
  const segments = pattern.split("/");
  let offset = 0;
  const parts: string[] = [];
  const baseSegments: string[] = [];
  let magicSeen = false;
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === "" && !last) throw new GlobSyntaxError("empty path segment (two slashes)", offset);
    if (segment === "..") throw new GlobSyntaxError("a glob may not go up with ..", offset);
    if (segment === "**") {
      magicSeen = true;
      parts.push(last ? ".*" : "(?:[^/]+/)*");
    } else {
      const converted = convertSegment(segment, offset);
      if (converted.magic) magicSeen = true;
      else if (!magicSeen && !last) baseSegments.push(segment);
      parts.push(last ? converted.source : `${converted.source}/`);
    }
    offset += segment.length + 1;
  }
  const source = parts.join("").replace(/\/$/, "");
  return {
    pattern,
    regex: new RegExp(`^${source}$`),
    base: baseSegments.join("/"),
    recursive: segments.includes("**"),
    depth: segments.length - baseSegments.length,
  };
}

function convertSegment(segment: string, segmentOffset: number): { source: string; magic: boolean } {
  let source = "";
  let magic = false;
  let braceDepth = 0;
  for (let index = 0; index < segment.length; index++) {
    const char = segment[index]!;
    const at = segmentOffset + index;
    if (char === "*") {
      if (segment[index + 1] === "*") throw new GlobSyntaxError("** must be a whole path segment, as in src/**/*.ts", at);
      source += "[^/]*";
      magic = true;
    } else if (char === "?") {
      source += "[^/]";
      magic = true;
    } else if (char === "[") {
      const end = segment.indexOf("]", index + 2);
      if (end === -1) throw new GlobSyntaxError("unclosed [ in the glob", at);
      let body = segment.slice(index + 1, end);
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, "\\\\")}]`;
      index = end;
      magic = true;
    } else if (char === "{") {
      braceDepth++;
      source += "(?:";
      magic = true;
    } else if (char === "}" && braceDepth > 0) {
      braceDepth--;
      source += ")";
    } else if (char === "," && braceDepth > 0) {
      source += "|";
    } else {
      source += char.replace(/[.+^$()|\\{}\]]/g, "\\$&");
    }
  }
  if (braceDepth > 0) throw new GlobSyntaxError("unclosed { in the glob", segmentOffset + segment.lastIndexOf("{"));
  return { source, magic };
}

/** Files under `directory` matching any of the globs, as sorted relative paths with `/`. */
export async function expandGlobs(globs: readonly CompiledGlob[], directory: string): Promise<string[]> {
  const found = new Set<string>();
  for (const glob of globs) {
    for (const file of await walk(directory, glob.base, glob.recursive ? Number.POSITIVE_INFINITY : glob.depth, glob)) found.add(file);
  }
  return [...found].sort();
}

async function walk(root: string, relative: string, depthLeft: number, glob: CompiledGlob): Promise<string[]> {
  if (depthLeft <= 0) return [];
  const entries = await readdir(path.join(root, relative), { withFileTypes: true }).catch(() => []);
  const matches: string[] = [];
  for (const entry of entries) {
    const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      const named = glob.pattern.split("/").includes(entry.name);
      if (skippedFolders.has(entry.name) && !named) continue;
      matches.push(...(await walk(root, child, depthLeft - 1, glob)));
    } else if ((entry.isFile() || entry.isSymbolicLink()) && glob.regex.test(child)) {
      matches.push(child);
    }
  }
  return matches;
}
