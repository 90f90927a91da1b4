import { defineConfig } from "vitest/config";
import { closingLine } from "./test/reporter.mts";

/**
 * The tests that start the Serverless CLI, serverless-offline, a browser or another Vitest (the
 * closing line's own test): each takes seconds to minutes. Everything else is a unit test, run on
 * every change with `npm run test:unit`; `npm test` runs both projects.
 */
const INTEGRATION = [
  "test/integration/**/*.test.ts",
  "test/adoption/**/*.test.ts",
  "test/alarms/scenarios.test.ts",
  "test/infra/dashboard-url.test.ts",
  "test/infra/layout.test.ts",
  "test/infra/plugin.test.ts",
  "test/infra/template.test.ts",
  "test/local/generated-stack.test.ts",
  "test/reporter.test.ts",
  "test/package/**/*.test.ts",
];

/** `lambda-vitals` and its subpaths are the sources, as tsconfig.json's `paths` says. */
const resolve = { tsconfigPaths: true };

export default defineConfig({
  resolve,
  test: {
    reporters: ["default", closingLine()],
    projects: [
      {
        resolve,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...INTEGRATION, "**/node_modules/**"],
          typecheck: { enabled: true, include: ["test/**/*.test-d.ts"] },
          testTimeout: 20_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve,
        test: {
          name: "integration",
          include: INTEGRATION,
          testTimeout: 20_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
