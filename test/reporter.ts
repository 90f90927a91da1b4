/**
 * Prints the closing line that CI reads in any language ("Tests: N passed, N failed"), after
 * Vitest's own summary.
 */
import type { Reporter, TestModule } from "vitest/node";

export function closingLine(): Reporter {
  return { onTestRunEnd };
}

function onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
  let passed = 0;
  let failed = 0;
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
