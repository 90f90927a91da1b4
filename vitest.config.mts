import { defineConfig } from "vitest/config";
import { closingLine } from "./test/reporter.mts";

export default defineConfig({
  // `lambda-vitals` and its subpaths are the sources, as tsconfig.json's `paths` says
  resolve: { tsconfigPaths: true },
  test: {
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"] },
    testTimeout: 20_000,
    hookTimeout: 120_000,
    reporters: ["default", closingLine()],
  },
});
