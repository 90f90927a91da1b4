/**
 * The Vitest projects (vitest.config.mts): a unit file that starts a CloudWatch of its own and
 * points the SDK at it runs in a process of its own. The unit project shares its workers'
 * modules, and the health checks keep one SDK client per process: in a shared process the client
 * of the first such file goes on calling that file's server after it closed, and which file ran
 * first depends on how the files fall into the workers.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { INTEGRATION, OWN_PROCESS } from "../vitest.config.mts";

const ROOT = join(__dirname, "..");

/** What a test does when it starts a CloudWatch of its own for the SDK to call. */
const OWN_CLOUDWATCH =
  /startFakeCloudWatch\(|startStoreCloudWatch\(|pointSdkAt\(|"AWS_ENDPOINT_URL_CLOUDWATCH",/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : testFiles(path);
    return entry.name.endsWith(".test.ts") ? [relative(ROOT, path)] : [];
  });
}

/** A project's glob (`test/integration/**\/*.test.ts`) as a regular expression. */
function globRegExp(glob: string): RegExp {
  const source = glob
    .split("**/")
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*"))
    .join("(?:.*/)?");
  return new RegExp(`^${source}$`);
}

describe("the Vitest projects", () => {
  it("give every unit file that starts its own CloudWatch a process of its own", () => {
    const integration = INTEGRATION.map(globRegExp);
    // this file names the calls it looks for, and starts nothing
    const self = relative(ROOT, __filename);
    const unit = testFiles(join(ROOT, "test")).filter(
      (file) => file !== self && !integration.some((glob) => glob.test(file)),
    );
    const needing = unit.filter((file) =>
      OWN_CLOUDWATCH.test(readFileSync(join(ROOT, file), "utf8")),
    );

    expect(needing.length).toBeGreaterThanOrEqual(5);
    expect(needing.filter((file) => !OWN_PROCESS.includes(file))).toEqual([]);
    expect(OWN_PROCESS.filter((file) => !existsSync(join(ROOT, file)))).toEqual([]);
  });

  it("read their globs as Vitest does, for the files they name", () => {
    const glob = globRegExp("test/integration/**/*.test.ts");
    expect(glob.test("test/integration/start.test.ts")).toBe(true);
    expect(glob.test("test/integration/a/b.test.ts")).toBe(true);
    expect(glob.test("test/integrationx/start.test.ts")).toBe(false);
    expect(globRegExp("test/alarms/scenarios.test.ts").test("test/alarms/scenarios-test.ts")).toBe(
      false,
    );
  });
});
