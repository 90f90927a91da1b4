/**
 * Published and installed as users will: `npm publish` to a registry on 127.0.0.1, then
 * `npm install lambda-vitals` in a new service, which gets the tarball's files and nothing else:
 * no dependency, and neither optional peer.
 */
import { execFile } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Packed, packPackage } from "./packed";
import { type Registry, startRegistry } from "./registry";

const run = promisify(execFile);

let packed: Packed;
let registry: Registry;

beforeAll(async () => {
  [packed, registry] = await Promise.all([packPackage("registry"), startRegistry()]);
}, 300_000);

afterAll(async () => {
  await Promise.all([registry?.stop(), packed?.remove()]);
});

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe("npm publish, then npm install lambda-vitals", () => {
  it("installs the published files alone, with no other package", async () => {
    // Prepare
    await registry.publish(packed.tarball);
    const service = join(packed.dir, "service");
    await mkdir(service);
    await writeFile(join(service, "package.json"), '{ "name": "books", "private": true }\n');

    // Act
    await registry.install(service, ["lambda-vitals"]);

    // Assess
    const installed = join(service, "node_modules", "lambda-vitals");
    expect(await filesUnder(installed)).toEqual(await filesUnder(packed.installed));
    const modules = (await readdir(join(service, "node_modules"))).filter(
      (n) => !n.startsWith("."),
    );
    expect(modules).toEqual(["lambda-vitals"]);
  }, 300_000);

  it("installs the lambda-vitals bin, which says what a folder lacks before it starts anything", async () => {
    // Prepare: the service of the test above, which has the package and nothing else
    const service = join(packed.dir, "service");
    const bin = join(service, "node_modules", ".bin", "lambda-vitals");
    const dev = async () => {
      const failed = await run(bin, ["dev"], { cwd: service, timeout: 30_000 }).then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      return { code: failed?.code, stderr: failed?.stderr ?? "" };
    };

    // Act
    const noService = await dev();
    await writeFile(join(service, "serverless.yml"), "service: books\nprovider:\n  name: aws\n");
    const noCli = await dev();
    const unknown = await run(bin, ["deploy"], { cwd: service }).catch((error) => error);

    // Assess: exit code 2 and one line that says what to do, no stack trace
    expect(noService.code).toBe(2);
    expect(noService.stderr).toBe(
      `lambda-vitals dev: no serverless.yml (or .yaml, .json, .js, .ts) in ${service}: run lambda-vitals dev in the service's folder\n`,
    );
    expect(noCli.code).toBe(2);
    expect(noCli.stderr).toMatch(
      /^lambda-vitals dev: the service has no Serverless CLI installed: npm install --save-dev serverless@3/,
    );
    expect(noCli.stderr).not.toMatch(/\n\s+at /);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^lambda-vitals: unknown command "deploy"\nusage: lambda-vitals dev /,
    );
  }, 60_000);
});
