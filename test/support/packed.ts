/**
 * The package as a user gets it: `npm pack` (which runs `prepare`, the build), then the tarball
 * unpacked into a fresh project's node_modules/orch.
 *
 * Why not `npm install <tarball>`: that resolves orch's dependencies from the registry or the npm
 * cache, and tests run offline with no guarantee of a warm cache. The dependencies are instead
 * linked one by one from this repository's node_modules — the versions the lockfile installed — so
 * Node resolves `orch`'s imports exactly as after an install, and nothing touches the network.
 * `node_modules/.bin/orch` is created as npm would, so `npx orch` finds it locally.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repositoryRoot, temporaryDirectory } from "./cli.js";

export interface PackedPackage {
  tarball: string;
  /** Paths inside the tarball, without the leading `package/`. */
  files: string[];
}

export function packRepository(): PackedPackage {
  const destination = temporaryDirectory("orch-pack-");
  const printed = execFileSync("npm", ["pack", "--json", "--pack-destination", destination], {
    cwd: repositoryRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  // npm prints the build's own output before the JSON when `prepare` runs.
  const manifest = JSON.parse(printed.slice(printed.indexOf("[\n"))) as { filename: string; files: { path: string }[] }[];
  const packed = manifest[0]!;
  return { tarball: path.join(destination, packed.filename), files: packed.files.map((file) => file.path) };
}

/** A new project (package.json only) with the tarball installed as `orch`; returns its folder. */
export function installIntoNewProject(tarball: string): string {
  const project = temporaryDirectory("orch-user-project-");
  writeFileSync(path.join(project, "package.json"), `${JSON.stringify({ name: "my-project", private: true, type: "module" }, null, 2)}\n`);
  const modules = path.join(project, "node_modules");
  const installed = path.join(modules, "orch");
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);

  const repositoryModules = realpathSync(path.join(repositoryRoot, "node_modules"));
  for (const entry of readdirSync(repositoryModules)) {
    if (entry === "orch" || entry.startsWith(".")) continue;
    symlinkSync(path.join(repositoryModules, entry), path.join(modules, entry));
  }
  mkdirSync(path.join(modules, ".bin"));
  symlinkSync(path.join("..", "orch", "bin", "orch.js"), path.join(modules, ".bin", "orch"));
  chmodSync(path.join(installed, "bin", "orch.js"), 0o755);
  return project;
}
