/**
 * The closing line of `npm test` (test/reporter.mts), read from real Vitest runs over small test
 * files in a temporary folder: every failure counts, the ones outside a test too.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "./fixtures/project-copy";

const VITEST = join(PROJECT_ROOT, "node_modules/vitest/vitest.mjs");
const REPORTER = join(PROJECT_ROOT, "test/reporter.mts");

interface Run {
  readonly exitCode: number;
  /** The last line of stdout, the one CI reads. */
  readonly closing: string;
  /** The "Failed outside a test" lines before it. */
  readonly outside: string[];
}

/** Runs Vitest with only the closing-line reporter over the given test files. */
async function runVitest(files: Record<string, string>): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), "vitals-reporter-"));
  try {
    await symlink(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    const config = `import { closingLine } from ${JSON.stringify(REPORTER)};
export default { test: { include: ["*.test.ts"], reporters: [closingLine()] } };\n`;
    await writeFile(join(dir, "vitest.config.mts"), config);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    // The outer run's own variables would make the inner Vitest think it runs inside a worker.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST")),
    );
    let exitCode = 0;
    let stdout = "";
    try {
      ({ stdout } = await promisify(execFile)(process.execPath, [VITEST, "run", "--root", dir], {
        cwd: dir,
        env,
      }));
    } catch (error) {
      const failed = error as { code?: number; stdout?: string };
      exitCode = failed.code ?? -1;
      stdout = failed.stdout ?? "";
    }
    const lines = stdout.split("\n").filter((line) => line.trim() !== "");
    return {
      exitCode,
      closing: lines.at(-1) ?? "",
      outside: lines.filter((line) => line.startsWith("Failed outside a test: ")),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe.concurrent("the closing line", () => {
  it("counts a beforeAll that throws as a failure, and the tests under it as not run", async () => {
    // Prepare
    const files = {
      "browser.test.ts": `import { beforeAll, it } from "vitest";
beforeAll(() => { throw new Error("no browser here"); });
it("draws the page", () => {});
it("draws the chart", () => {});\n`,
    };
    // Act
    const run = await runVitest(files);
    // Assess
    expect(run.exitCode).toBe(1);
    expect(run.closing).toBe("Tests: 0 passed, 1 failed, 2 not run");
    expect(run.outside).toEqual(["Failed outside a test: browser.test.ts: no browser here"]);
  });

  it("counts a file that fails to import as a failure", async () => {
    const files = {
      "broken.test.ts": `import "./not-there";
import { it } from "vitest";
it("never collected", () => {});\n`,
    };
    const run = await runVitest(files);
    expect(run.exitCode).toBe(1);
    expect(run.closing).toBe("Tests: 0 passed, 1 failed");
    expect(run.outside).toHaveLength(1);
    expect(run.outside[0]).toMatch(/^Failed outside a test: broken\.test\.ts: .*not-there/);
  });

  it("counts an afterAll that throws as a failure beside the tests that passed", async () => {
    const files = {
      "cleanup.test.ts": `import { afterAll, describe, it } from "vitest";
describe("the server", () => {
  afterAll(() => { throw new Error("could not stop it"); });
  it("answers", () => {});
});\n`,
    };
    const run = await runVitest(files);
    expect(run.exitCode).toBe(1);
    expect(run.closing).toBe("Tests: 1 passed, 1 failed");
    expect(run.outside).toEqual([
      "Failed outside a test: cleanup.test.ts > the server: could not stop it",
    ]);
  });

  it("counts an error outside any test as a failure, beside the test that passed", async () => {
    // Prepare: a test that passes and leaves a rejection nobody handles
    const files = {
      "stray.test.ts": `import { it } from "vitest";
it("starts work it does not wait for", () => {
  void Promise.reject(new Error("nobody waited for this"));
});\n`,
    };
    // Act
    const run = await runVitest(files);
    // Assess
    expect(run.exitCode).toBe(1);
    expect(run.closing).toBe("Tests: 1 passed, 1 failed");
    expect(run.outside).toEqual([]);
  });

  it("adds the failures of several files, and keeps skips on purpose apart", async () => {
    const files = {
      "mixed.test.ts": `import { it } from "vitest";
it("passes", () => {});
it("fails", () => { throw new Error("wrong"); });
it.skip("is skipped", () => {});
it.todo("is to do");
it("skips itself", (context) => { context.skip(); });\n`,
      "setup.test.ts": `import { beforeAll, it } from "vitest";
beforeAll(() => { throw new Error("serverless package failed"); });
it("checks the template", () => {});\n`,
      "green.test.ts": `import { it } from "vitest";
it("passes too", () => {});\n`,
    };
    const run = await runVitest(files);
    expect(run.exitCode).toBe(1);
    expect(run.closing).toBe("Tests: 2 passed, 2 failed, 3 skipped, 1 not run");
    expect(run.outside).toEqual([
      "Failed outside a test: setup.test.ts: serverless package failed",
    ]);
  });

  it("says 0 failed, with nothing else, when every test passed", async () => {
    const files = {
      "green.test.ts": `import { describe, it } from "vitest";
describe("a suite", () => { it("one", () => {}); it("two", () => {}); });\n`,
    };
    const run = await runVitest(files);
    expect(run.exitCode).toBe(0);
    expect(run.closing).toBe("Tests: 2 passed, 0 failed");
    expect(run.outside).toEqual([]);
  });
});
