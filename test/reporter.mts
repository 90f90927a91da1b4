/**
 * Prints the closing line that CI reads in any language ("Tests: N passed, N failed"), after
 * Vitest's own summary.
 */
import type { SerializedError } from "vitest";
import type { Reporter, TestModule } from "vitest/node";

export function closingLine(): Reporter {
  return { onTestRunEnd };
}

function onTestRunEnd(
  modules: ReadonlyArray<TestModule>,
  unhandled: ReadonlyArray<SerializedError>,
): void {
  let passed = 0;
  // An unhandled error (a type error, a crash outside a test) fails the run: count it.
  let failed = unhandled.length;
  let skipped = 0;
  for (const module of modules) {
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === "passed") passed++;
      else if (state === "failed") failed++;
      else skipped++;
    }
  }
  const tail = skipped > 0 ? `, ${skipped} skipped` : "";
  process.stdout.write(`\nTests: ${passed} passed, ${failed} failed${tail}\n`);
}
