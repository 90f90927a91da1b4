import { defineConfig } from "vitest/config";

/**
 * The unit tests that StrykerJS runs against each mutant (`npm run test:mutation`). Left out:
 * test/infra, test/integration, test/adoption, test/alarms, test/local/generated-stack and
 * test/local/report, which package the service with the Serverless CLI or start the offline server,
 * test/package, which packs and installs the package, the closing line's test,
 * which runs Vitest on files of its own, and the
 * bundle test, which measures what esbuild keeps of the library: Stryker's instrumented copy keeps
 * every branch, so it would fail before any mutant is tried, and the mutation report's own test,
 * which compares the library's sources with the report's, and the instrumented copy differs. The type tests need no mutant either.
 */
export default defineConfig({
  // `lambda-vitals` and its subpaths are the sources (tsconfig.json's `paths`), as in vitest.config
  resolve: { tsconfigPaths: true },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [
      "test/infra/**",
      "test/integration/**",
      "test/adoption/**",
      "test/alarms/**",
      "test/local/generated-stack.test.ts",
      "test/local/report.test.ts",
      "test/package/**",
      "test/bundle.test.ts",
      "test/reporter.test.ts",
      "test/docs/mutation-report.test.ts",
      "**/node_modules/**",
    ],
    typecheck: { enabled: false },
    testTimeout: 20_000,
  },
});
