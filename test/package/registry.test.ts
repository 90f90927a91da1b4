/**
 * Published and installed as users will: `npm publish` to a registry on 127.0.0.1, then
 * `npm install lambda-vitals` in a new service, which gets the tarball's files and nothing else:
 * no dependency, and neither optional peer.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Packed, packPackage } from "./packed";
import { type Registry, startRegistry } from "./registry";

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
});
