import { defineConfig } from "vitest/config";
import { closingLine } from "./test/reporter.mts";

/**
 * The tests that start the Serverless CLI, serverless-offline, a browser or another Vitest (the
 * closing line's own test): each takes seconds to minutes. Everything else is a unit test, run on
 * every change with `npm run test:unit`; `npm test` runs both projects.
 */
export const INTEGRATION = [
  "test/integration/**/*.test.ts",
  "test/adoption/**/*.test.ts",
  "test/alarms/scenarios.test.ts",
  "test/alarms/slo-scenarios.test.ts",
  "test/infra/cost-command.test.ts",
  "test/infra/dashboard-url.test.ts",
  "test/infra/layout.test.ts",
  "test/infra/plugin.test.ts",
  "test/infra/template.test.ts",
  "test/local/generated-stack.test.ts",
  "test/local/report.test.ts",
  "test/reporter.test.ts",
  "test/package/**/*.test.ts",
];

/**
 * Unit tests that need a process of their own: each starts its own fake CloudWatch, and the health
 * checks keep one SDK client per process (functions/vitals/health/cloudwatch-client.ts), as a
 * Lambda process should. The other unit files share their workers' modules (`isolate: false`),
 * which halves the unit run; each restores what it changes (env, timers, stdout) in its hooks.
 */
export const OWN_PROCESS = [
  "test/boundaries/cloudwatch-answers.test.ts",
  "test/boundaries/cloudwatch-observations.test.ts",
  "test/boundaries/siblings.test.ts",
  "test/health-boundaries.test.ts",
  "test/health-budget.test.ts",
  "test/health-cloudwatch.test.ts",
  "test/health-guard.test.ts",
  "test/health-handler.test.ts",
  "test/health-scheduled.test.ts",
  "test/health-siblings.test.ts",
  "test/local/cloudwatch-api.test.ts",
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
          exclude: [...INTEGRATION, ...OWN_PROCESS, "**/node_modules/**"],
          isolate: false,
          typecheck: { enabled: true, include: ["test/**/*.test-d.ts"] },
          testTimeout: 20_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve,
        test: {
          name: "unit-own-process",
          include: OWN_PROCESS,
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
