/**
 * `serverless vitals cost` under the real Serverless v3 and osls v4 CLIs, and the cost line and
 * the cardinality guard of `serverless package`: offline, without credentials.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyProject, type ProjectCopy, type ServerlessMajor } from "../fixtures/project-copy";
import { packageService } from "./package";

const copies = new Map<ServerlessMajor, ProjectCopy>();

beforeAll(async () => {
  copies.set(3, await copyProject("cost-v3", { serverless: 3 }));
  copies.set(4, await copyProject("cost-v4", { serverless: 4 }));
});

afterAll(async () => {
  await Promise.all([...copies.values()].map((copy) => copy.remove()));
});

async function serverless(major: ServerlessMajor, args: readonly string[]) {
  const copy = copies.get(major);
  if (copy === undefined) throw new Error(`no copy for Serverless v${major}`);
  return promisify(execFile)(process.execPath, [copy.cli, ...args], {
    cwd: copy.dir,
    env: copy.env,
    timeout: 90_000,
  });
}

describe.each([3, 4] as const)("serverless vitals cost (Serverless v%i)", (major) => {
  it("prints the breakdown for the what-if numbers", async () => {
    // Act
    const { stdout } = await serverless(major, [
      "vitals",
      "cost",
      "--stage",
      "prod",
      "--requests-per-month",
      "5000000",
      "--health-requests-per-minute",
      "0",
    ]);

    // Assess
    expect(stdout).toContain("CloudWatch, monthly, us-east-1 list prices");
    // the template: 3 routes + GET /health, GET /health/live, event:schedule
    expect(stdout).toMatch(/custom metrics +50 metrics +\$15\.00/);
    expect(stdout).toMatch(/GetMetricData, GET \/health +0 metrics requested +\$0\.00/);
    expect(stdout).toContain("5,000,000 requests");
  }, 120_000);
});

/** The fenced blocks of docs/cost.md, each as its lines. */
async function costPageBlocks(): Promise<string[][]> {
  const page = await readFile(join(__dirname, "../../docs/cost.md"), "utf8");
  return [...page.matchAll(/```text\n([\s\S]*?)```/g)].map((m) =>
    (m[1] ?? "").trimEnd().split("\n"),
  );
}

describe("docs/cost.md's transcripts", () => {
  it("are what the template's commands print: the breakdown of vitals cost --stage prod, and package's line", async () => {
    // Act
    const { stdout } = await serverless(4, ["vitals", "cost", "--stage", "prod"]);
    const { output } = await packageService(["--stage", "prod"]);
    const blocks = await costPageBlocks();

    // Assess: the page shows the command, then its output up to the total
    const breakdown = blocks.find((b) => b[0] === "$ npx serverless vitals cost --stage prod");
    const printed = stdout.split("\n");
    const from = printed.findIndex((l) => l.startsWith("CloudWatch, monthly"));
    const to = printed.findIndex((l) => l.startsWith("total "));
    expect(breakdown?.slice(1, to - from + 2)).toEqual(printed.slice(from, to + 1));
    const line = output.split("\n").find((l) => l.startsWith("lambda-vitals: CloudWatch about"));
    expect(blocks.some((b) => b.length === 1 && b[0] === line?.trim())).toBe(true);
  }, 180_000);
});

describe("serverless vitals cost --json", () => {
  it("prints the estimate for scripts", async () => {
    // Act
    const { stdout } = await serverless(4, ["vitals", "cost", "--json"]);

    // Assess
    const estimate = JSON.parse(stdout.slice(stdout.indexOf("{"))) as {
      customMetrics: number;
      totalUsd: number;
      items: { what: string; usd: number }[];
    };
    expect(estimate.customMetrics).toBe(50);
    const sum = estimate.items.reduce((total, item) => total + item.usd, 0);
    expect(estimate.totalUsd).toBeCloseTo(sum, 9);
  }, 120_000);

  it("refuses a what-if number that is not a count", async () => {
    // Act
    const run = serverless(4, ["vitals", "cost", "--requests-per-month", "-5"]);

    // Assess
    await expect(run).rejects.toMatchObject({
      stdout: expect.stringContaining(
        '--requests-per-month must be a whole number of 0 or more, not "-5"',
      ),
    });
  }, 120_000);
});

describe("serverless package", () => {
  it("prints the monthly cost on one line, and warns over the metric budget", async () => {
    // Act
    const { output } = await packageService(["--param", "metricBudget=40"]);

    // Assess
    expect(output).toMatch(
      /lambda-vitals: CloudWatch about \$\d+\.\d\d a month for 1,000,000 requests/,
    );
    expect(output).toContain("50 custom metrics, over the budget of 40");
    expect(output).toContain("the dimension Route: 6 values");
  }, 180_000);

  it("stops above the hard limit, naming the metric and the dimension", async () => {
    // Act
    const run = serverless(3, ["package", "--param", "metricLimit=45"]);

    // Assess
    await expect(run).rejects.toMatchObject({
      stdout: expect.stringContaining("over the hard limit of 45 (custom.vitals.cost.metricLimit)"),
    });
  }, 120_000);
});
