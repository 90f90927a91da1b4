/**
 * Prints the closing line that CI reads in any language ("Tests: N passed, N failed"), after
 * Vitest's own summary. A failure outside a test counts too: a file that fails to import, a
 * `beforeAll` or `afterAll` that throws, an error outside any test. When a `beforeAll` fails,
 * Vitest marks the tests under it skipped; they are counted as "not run", never as skipped, so that
 * a missing browser or a failed `serverless package` cannot read as "0 failed".
 */
import type { SerializedError } from "vitest";
import type { Reporter, TestCase, TestModule, TestSuite } from "vitest/node";

export interface Tally {
  readonly passed: number;
  /** Failed tests, plus one per file or suite whose import or hook threw, plus unhandled errors. */
  readonly failed: number;
  /** Tests skipped on purpose (`it.skip`, `it.todo`, `ctx.skip()`). */
  readonly skipped: number;
  /** Tests that never ran because their file or a suite around them failed first. */
  readonly notRun: number;
  /** What failed outside a test: "file > suite: message". */
  readonly outside: readonly string[];
}

export function closingLine(): Reporter {
  return {
    onTestRunEnd(modules, unhandled) {
      process.stdout.write(summary(tally(modules, unhandled)));
    },
  };
}

/** Counts the run's outcomes from Vitest's reported tree. */
export function tally(
  modules: ReadonlyArray<TestModule>,
  unhandled: ReadonlyArray<SerializedError>,
): Tally {
  let passed = 0;
  let failed = unhandled.length;
  let skipped = 0;
  let notRun = 0;
  const outside: string[] = [];
  for (const module of modules) {
    for (const entity of [module, ...module.children.allSuites()]) {
      const errors = entity.errors();
      if (errors.length === 0) continue;
      failed++;
      outside.push(`${placeOf(entity)}: ${errors.map((error) => error.message).join("; ")}`);
    }
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === "passed") passed++;
      else if (state === "failed") failed++;
      else if (state === "skipped" && !underFailure(test)) skipped++;
      else notRun++;
    }
  }
  return { passed, failed, skipped, notRun, outside };
}

/** The closing text: what failed outside a test, then the line CI reads. */
export function summary(counts: Tally): string {
  const lines = counts.outside.map((place) => `Failed outside a test: ${place}\n`);
  const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : "";
  const notRun = counts.notRun > 0 ? `, ${counts.notRun} not run` : "";
  return `\n${lines.join("")}Tests: ${counts.passed} passed, ${counts.failed} failed${skipped}${notRun}\n`;
}

/** A test is under a failure when its file or a suite around it recorded an error. */
function underFailure(test: TestCase): boolean {
  for (let at: TestSuite | TestModule = test.parent; ; at = at.parent) {
    if (at.errors().length > 0) return true;
    if (at.type === "module") return false;
  }
}

function placeOf(entity: TestSuite | TestModule): string {
  return entity.type === "module"
    ? entity.relativeModuleId
    : `${entity.module.relativeModuleId} > ${entity.fullName}`;
}
