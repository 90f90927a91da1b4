import { defineConfig } from "vitest/config";

/**
 * The unit tests that StrykerJS runs against each mutant (`npm run test:mutation`). Left out:
 * test/infra, test/integration, test/adoption, test/alarms and test/local/generated-stack, which
 * package the service with the Serverless CLI or start the offline server, the closing line's test,
 * which runs Vitest on files of its own, and the
 * bundle test, which measures what esbuild keeps of the library: Stryker's instrumented copy keeps
 * every branch, so it would fail before any mutant is tried. The type tests need no mutant either.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [
      "test/infra/**",
      "test/integration/**",
      "test/adoption/**",
      "test/alarms/**",
      "test/local/generated-stack.test.ts",
      "test/bundle.test.ts",
      "test/reporter.test.ts",
      "**/node_modules/**",
    ],
    typecheck: { enabled: false },
    testTimeout: 20_000,
  },
});
