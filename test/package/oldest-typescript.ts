/**
 * The oldest TypeScript the declarations support, installed once outside the project: as a dev
 * dependency (an `npm:typescript@4.7` alias) its `tsc` bin would replace the project's own in
 * node_modules/.bin. Kept in `~/.cache/lambda-vitals-typescript-<version>` (or
 * `LAMBDA_VITALS_TS_CACHE`), the way test/ric keeps its runtime client.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** TypeScript 4.7: the first with `node16`; `bundler` needs 5.0. */
export const OLDEST_TYPESCRIPT = "4.7.4";

/**
 * The path of the oldest supported `tsc`, installing it on the first call.
 *
 * @example
 * const tsc = await oldestTsc(); // run it with process.execPath
 */
export async function oldestTsc(): Promise<string> {
  const dir =
    process.env.LAMBDA_VITALS_TS_CACHE ??
    join(homedir(), ".cache", `lambda-vitals-typescript-${OLDEST_TYPESCRIPT}`);
  const manifest = join(dir, "node_modules", "typescript", "package.json");
  if (existsSync(manifest)) {
    const { version } = JSON.parse(await readFile(manifest, "utf8")) as { version: string };
    if (version === OLDEST_TYPESCRIPT) return join(dir, "node_modules", "typescript", "bin", "tsc");
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "package.json"), '{ "private": true }\n');
  await run("npm", ["install", "--no-audit", "--no-fund", `typescript@${OLDEST_TYPESCRIPT}`], {
    cwd: dir,
    timeout: 240_000,
  });
  return join(dir, "node_modules", "typescript", "bin", "tsc");
}
