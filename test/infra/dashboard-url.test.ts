/**
 * `npm run dashboard-url` (the `serverless dashboard-url` command of infra/plugin.cjs) prints the
 * console address of the dashboard the stack creates, for any stage and region, offline.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardUrl } from "../../infra/dashboard";
import { copyProject, type ProjectCopy, SERVERLESS_CLI } from "../fixtures/project-copy";

let copy: ProjectCopy;

beforeAll(async () => {
  copy = await copyProject("dashboard-url");
});

afterAll(async () => {
  await copy?.remove();
});

describe("serverless dashboard-url", () => {
  it("prints the address of the stage's dashboard in the given region, without credentials", async () => {
    // Act
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [SERVERLESS_CLI, "dashboard-url", "--stage", "prod", "--region", "ap-southeast-2"],
      { cwd: copy.dir, env: copy.env, timeout: 60_000 },
    );

    // Assess
    const expected = dashboardUrl({
      service: "lambda-vitals",
      stage: "prod",
      region: "ap-southeast-2",
    });
    expect(stdout).toContain(`dashboard: ${expected}`);
    expect(expected).toBe(
      "https://ap-southeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-southeast-2#dashboards/dashboard/lambda-vitals-prod-ap-southeast-2",
    );
  });
});
