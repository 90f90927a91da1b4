/**
 * A copy of test/fixtures/existing-service beside this project's `node_modules`, as the adoption
 * tests start from it: the service as it was before lambda-vitals, run by Serverless v3 or v4.
 */
import { cp, mkdir, readdir, rm, symlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  copyProject,
  PROJECT_ROOT,
  type ProjectCopy,
  type ServerlessMajor,
} from "../fixtures/project-copy";

export const FIXTURE = resolve(import.meta.dirname, "../fixtures/existing-service");

/**
 * The fixture, copied, with the given Serverless as its CLI.
 *
 * @example
 * const copy = await copyFixture(3); // copy.dir holds serverless.yml, src/, tsconfig.json
 */
export async function copyFixture(
  major: ServerlessMajor,
  purpose = "adoption",
): Promise<ProjectCopy> {
  const copy = await copyProject(`${purpose}-v${major}`, { serverless: major });
  // copyProject brings this project's own service; the fixture takes its place
  for (const name of ["serverless.yml", "package.json", "tsconfig.json", "functions", "infra"]) {
    await rm(join(copy.dir, name), { recursive: true, force: true });
  }
  await cp(FIXTURE, copy.dir, { recursive: true });
  // npm puts the package in the service's own node_modules: under v4 that is a link to this
  // project's, so it becomes a folder of links, as copyProject makes for v3
  if (major === 4) {
    const modules = join(copy.dir, "node_modules");
    await rm(modules);
    await mkdir(modules);
    const names = await readdir(join(PROJECT_ROOT, "node_modules"));
    await Promise.all(
      names.map((name) => symlink(join(PROJECT_ROOT, "node_modules", name), join(modules, name))),
    );
  }
  return copy;
}
