/**
 * The benchmark figures in the README and docs/benchmark.md are the ones bench/results.md holds,
 * the file `npm run bench` writes: `npm run bench:readme`, run on a copy of the three files,
 * changes neither page. A figure edited by hand, or a run whose figures were never copied, fails.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(__dirname, "../..");
const FILES = ["scripts/bench-readme.mjs", "bench/results.md", "README.md", "docs/benchmark.md"];
const copy = mkdtempSync(join(tmpdir(), "bench-figures-"));

afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("the benchmark's figures in the docs", () => {
  it("are what npm run bench:readme copies from bench/results.md", () => {
    // Prepare
    for (const file of FILES) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(copy, file));
    }

    // Act
    execFileSync(process.execPath, [join(copy, "scripts/bench-readme.mjs")], { cwd: copy });

    // Assess
    for (const page of ["README.md", "docs/benchmark.md"]) {
      expect(readFileSync(join(copy, page), "utf8"), page).toBe(
        readFileSync(join(ROOT, page), "utf8"),
      );
    }
  });
});
