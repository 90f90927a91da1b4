/**
 * The package as `npm pack` makes it (its `prepack` builds dist/ first), unpacked where a service
 * would have it: `<dir>/node_modules/lambda-vitals`, in a temporary directory outside the project,
 * so nothing of the project's own node_modules is in reach unless a test links it in.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../fixtures/project-copy";

const run = promisify(execFile);

export interface Packed {
  /** The temporary directory: the tarball is in it, the service-like folder is `dir`. */
  readonly dir: string;
  readonly tarball: string;
  /** Where the unpacked package sits: `<dir>/node_modules/lambda-vitals`. */
  readonly installed: string;
  readonly remove: () => Promise<void>;
}

/** Test files that pack run in parallel workers: one build of dist/ at a time. */
const LOCK = join(tmpdir(), "lambda-vitals-pack.lock");

async function locked<T>(work: () => Promise<T>): Promise<T> {
  const until = Date.now() + 300_000;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST" || Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

/**
 * Packs the project and unpacks the tarball as an installed dependency.
 *
 * @example
 * const packed = await packed();
 * try { ... } finally { await packed.remove(); }
 */
export async function packPackage(purpose: string): Promise<Packed> {
  const dir = await mkdtemp(join(tmpdir(), `lambda-vitals-${purpose}-`));
  const { stdout } = await locked(() =>
    run("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: PROJECT_ROOT,
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    }),
  );
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  const tarball = join(dir, filename);
  const installed = join(dir, "node_modules", "lambda-vitals");
  await mkdir(installed, { recursive: true });
  await run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
  return { dir, tarball, installed, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Links packages of the project's node_modules into the packed service's (types, tools). */
export async function linkFromProject(packed: Packed, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const target = join(packed.dir, "node_modules", name);
    await mkdir(join(target, ".."), { recursive: true });
    await symlink(join(PROJECT_ROOT, "node_modules", name), target, "dir");
  }
}
