/**
 * `serverless vitals report` with the real Serverless CLIs (v3 and osls v4) and the real AWS SDK
 * client, pointed at the local CloudWatch of `npm start` (the dev server's GetMetricData and
 * DescribeAlarms), after traffic through the real example handlers: its numbers equal what the
 * local dashboard shows for the same minutes, and its failures say what to do.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { invokeMeasured } from "../../functions/vitals/testing";
import type { Report } from "../../infra/report";
import { createMetricStore, type MetricStore } from "../../local";
import { replayEvaluator } from "../../local/alarm-states";
import type { WidgetView } from "../../local/dashboard-view";
import { type DeployedDashboard, readDeployedDashboard } from "../../local/deployed-dashboard";
import { type DevServer, projectAssets, startDevServer } from "../../local/dev-server";
import { generatedResources, loadGenerator } from "../../local/generated-stack";
import { createIntake } from "../../local/intake";
import { printServiceTemplate } from "../../local/service-template";
import { httpApiEvent } from "../fixtures/events";
import { copyProject, type ProjectCopy } from "../fixtures/project-copy";

const copies: Partial<Record<3 | 4, ProjectCopy>> = {};
let store: MetricStore;
let server: DevServer;
let deployed: DeployedDashboard | undefined;

/** Requests through the real handlers; their lines go into the store, as `npm start` reads them. */
async function traffic(): Promise<void> {
  vi.stubEnv("VITALS_NAMESPACE", "LambdaVitals/prod");
  vi.stubEnv("VITALS_SERVICE", "lambda-vitals");
  // The handlers read their namespace and service when they are wrapped: imported after the stubs.
  const { getOrder } = await import("../../functions/get-order");
  const { createOrder } = await import("../../functions/create-order");
  const { getInvoice } = await import("../../functions/get-invoice");
  const send = async (
    handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>,
    event: APIGatewayProxyEventV2,
  ) => {
    const { lines } = await invokeMeasured(handler, event);
    for (const line of lines) store.ingestLine(JSON.stringify(line), Date.now());
  };
  const order = (id: string) => httpApiEvent({ path: `/orders/${id}`, route: "/orders/{id}" });
  for (let i = 0; i < 6; i++) await send(getOrder, order("1001"));
  for (let i = 0; i < 3; i++) await send(getOrder, order("nope"));
  const body = JSON.stringify({ channel: "web", lines: [{ sku: "SKU-1", quantity: 1 }] });
  for (let i = 0; i < 4; i++) {
    await send(
      createOrder,
      httpApiEvent({ method: "POST", path: "/orders", route: "/orders", body }),
    );
  }
  await send(
    createOrder,
    httpApiEvent({ method: "POST", path: "/orders", route: "/orders", body: "{" }),
  );
  const invoice = (id: string) =>
    httpApiEvent({
      path: `/orders/${id}/invoice`,
      route: "/orders/{id}/invoice",
    });
  for (let i = 0; i < 2; i++) await send(getInvoice, invoice("1001"));
  vi.unstubAllEnvs();
}

/** The dev server's clock: real while the traffic is sent, then stopped (see beforeAll). */
let clock: () => number = Date.now;

beforeAll(async () => {
  copies[4] = await copyProject("report-v4");
  copies[3] = await copyProject("report-v3", { serverless: 3 });
  const template = await printServiceTemplate({
    cli: copies[4].cli,
    cwd: copies[4].dir,
    env: copies[4].env,
    stage: "prod",
  });
  const infra = await loadGenerator({ root: copies[4].dir, library: template.vitals.library });
  deployed = readDeployedDashboard(generatedResources(infra, template), template.region);
  store = createMetricStore();
  const intake = createIntake(store, Date.now);
  server = await startDevServer({
    assets: projectAssets(copies[4].dir),
    port: 0,
    store,
    counts: intake.counts,
    invocations: intake.invocations,
    dashboard: () => deployed,
    evaluator: replayEvaluator,
    now: () => clock(),
  });
  await traffic();
  // The server's clock stops in the minute after the traffic's: the report (DescribeAlarms) and
  // the dashboard read later see the same complete minutes, so a short burn-rate window that
  // turns ALARM when the traffic's minute ends cannot differ between the two readings.
  const frozen = (Math.floor(Date.now() / 60_000) + 1) * 60_000 + 1_000;
  clock = () => frozen;
}, 120_000);

afterAll(async () => {
  await server?.close();
  await Promise.all(Object.values(copies).map((copy) => copy?.remove()));
});

/** The CLI in a copy, its SDK pointed at the local CloudWatch with dummy credentials. */
function report(major: 3 | 4, args: readonly string[], credentials = true) {
  const copy = copies[major];
  if (copy === undefined) throw new Error("no copy");
  const env = {
    ...copy.env,
    AWS_ENDPOINT_URL_CLOUDWATCH: server.url,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: `${copy.dir}/.tmp/no-config`,
    AWS_SHARED_CREDENTIALS_FILE: `${copy.dir}/.tmp/no-credentials`,
    ...(credentials
      ? { AWS_ACCESS_KEY_ID: "AKIATESTONLYNOTREAL1", AWS_SECRET_ACCESS_KEY: "test-only-secret" }
      : {}),
  };
  return promisify(execFile)(process.execPath, [copy.cli, "vitals", "report", ...args], {
    cwd: copy.dir,
    env,
    timeout: 90_000,
  });
}

/** Sums a dashboard chart's series over its minutes, by label. */
async function dashboardSums(): Promise<Map<string, WidgetView>> {
  const state = (await (await fetch(`${server.url}/api/state`)).json()) as {
    dashboard: { widgets: WidgetView[] };
  };
  return new Map(
    state.dashboard.widgets
      .filter((w) => w.kind === "metric" || w.kind === "alarm")
      .map((w) => [w.kind === "metric" || w.kind === "alarm" ? w.title : "", w]),
  );
}

function sum(widget: WidgetView | undefined, label: string): number {
  if (widget?.kind !== "metric") throw new Error("no such chart");
  const points = widget.series.find((s) => s.label === label)?.points ?? [];
  return points.reduce<number>((total, p) => total + (p ?? 0), 0);
}

function only(widget: WidgetView | undefined, label: string): number | undefined {
  if (widget?.kind !== "metric") throw new Error("no such chart");
  const points = (widget.series.find((s) => s.label === label)?.points ?? []).filter(
    (p): p is number => p !== null,
  );
  return points.length === 1 ? points[0] : undefined;
}

describe("serverless vitals report --json (osls v4)", () => {
  it("gives per route what the local dashboard shows for the same minutes, and every alarm, ALARM first", async () => {
    // Act
    const { stdout } = await report(4, ["--stage", "prod", "--since", "15m", "--json"]);
    const charts = await dashboardSums();

    // Assess
    const result = JSON.parse(stdout.slice(stdout.indexOf("{"))) as Report;
    const routes = ["GET /orders/{id}", "POST /orders", "GET /orders/{id}/invoice"];
    for (const route of routes) {
      const row = result.routes.find((r) => r.route === route);
      const requests = charts.get(`Requests · ${route}`);
      expect(row?.requests).toBe(sum(requests, "requests"));
      const pct = (n: number) => Math.round((n / sum(requests, "requests")) * 10_000) / 100;
      expect(row?.errorsPercent).toBe(pct(sum(requests, "5xx / thrown")));
      expect(row?.clientErrorsPercent).toBe(pct(sum(requests, "4xx")));
      const cold = charts.get(`Cold starts and timeouts · ${route}`);
      expect(row?.coldStartPercent).toBe(pct(sum(cold, "cold starts")));
      expect(row?.timeouts).toBe(sum(cold, "timeouts"));
      // One minute of data: the window's percentiles are that minute's.
      const latency = charts.get(`Latency (Milliseconds) · ${route}`);
      const p99 = only(latency, "p99");
      if (p99 !== undefined) expect(row?.p99).toBe(p99);
    }
    expect(result.routes.find((r) => r.route === "GET /orders/{id}")).toMatchObject({
      requests: 9,
      clientErrorsPercent: 33.33,
    });
    expect(result.total.requests).toBe(sum(charts.get("Requests · service"), "requests"));
    expect(result.total.requests).toBe(16);
    const alarmWidget = charts.get("Alarms");
    if (alarmWidget?.kind !== "alarm") throw new Error("no alarm widget");
    // The dashboard's alarm widget lists the metric alarms; the report adds the composite one.
    const metricAlarms = result.alarms.filter((a) => a.type === "metric");
    expect(new Set(metricAlarms.map((a) => `${a.name} ${a.state}`))).toEqual(
      new Set(alarmWidget.alarms.map((a) => `${a.name} ${a.state}`)),
    );
    const states = result.alarms.map((a) => a.state);
    const order = ["ALARM", "INSUFFICIENT_DATA", "OK"];
    const ranks = states.map((state) => order.indexOf(state));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(states[0]).toBe("ALARM");
    expect(result.alarms.some((a) => a.type === "composite")).toBe(true);
    // The error budget over the period, as the dashboard's budget widget shows it
    const budgetWidget = [...charts.entries()].find(([title]) =>
      title.startsWith("Error budget left over 30 days"),
    )?.[1];
    if (budgetWidget?.kind !== "metric") throw new Error("no budget widget");
    const shown = Object.fromEntries(budgetWidget.series.map((s) => [s.label, s.points[0]]));
    expect(result.budget?.periodDays).toBe(30);
    expect(result.budget?.left[0]?.leftPercent).toBeCloseTo(Number(shown.availability), 2);
    expect(result.budget?.left[1]?.leftPercent).toBeCloseTo(Number(shown.latency), 2);
    // 8 figures for each of 5 routes and the service: 48 metrics in one call; then the budget's
    // requests, errors and latency over the period in another
    expect(result.calls).toMatchObject({
      getMetricData: 2,
      metricsRequested: 51,
      describeAlarms: 1,
    });
    expect(result.calls.usd).toBeCloseTo(0.00051 + 0.00001, 9);
  }, 120_000);
});

describe("serverless vitals report (Serverless v3)", () => {
  it("prints the table, the totals, the alarms and the calls' cost, without colour off a terminal", async () => {
    // Act
    const { stdout } = await report(3, ["--stage", "prod"]);

    // Assess
    expect(stdout).toMatch(
      /route +requests +5xx % +4xx % +p50 ms +p90 ms +p99 ms +cold % +timeouts/,
    );
    expect(stdout).toMatch(/GET \/orders\/\{id\} +9 /);
    expect(stdout).toMatch(/total +16 /);
    expect(stdout).toContain("lambda-vitals-prod-page (composite)");
    expect(stdout).toMatch(
      /error budget left over the last 30 days:\n {2}99\.9% of requests answered: -?[\d.]+ %/,
    );
    expect(stdout).toMatch(/CloudWatch calls: 2 GetMetricData \(51 metrics\) and 1 DescribeAlarms/);
    expect(stdout).not.toContain("\u001b[");
  }, 120_000);
});

describe("serverless vitals report, failures", () => {
  it("says there are no credentials", async () => {
    const run = report(4, ["--stage", "prod"], false);
    await expect(run).rejects.toMatchObject({
      stdout: expect.stringContaining("lambda-vitals: no AWS credentials"),
    });
  }, 120_000);

  it("says a stage that params does not name and nothing deployed is unknown", async () => {
    const run = report(4, ["--stage", "nope"]);
    await expect(run).rejects.toMatchObject({
      stdout: expect.stringContaining('unknown stage "nope": serverless.yml\'s params name "prod"'),
    });
  }, 120_000);

  it("says a stack whose alarms do not exist is not deployed", async () => {
    // Prepare: the local CloudWatch knows no alarm of the stack
    const saved = deployed;
    deployed = undefined;
    try {
      // Act
      const run = report(4, ["--stage", "prod"]);

      // Assess
      await expect(run).rejects.toMatchObject({
        stdout: expect.stringContaining(
          "lambda-vitals prod in us-east-1 is not deployed: none of its",
        ),
      });
    } finally {
      deployed = saved;
    }
  }, 120_000);

  it("refuses a --since it cannot read", async () => {
    const run = report(4, ["--stage", "prod", "--since", "yesterday"]);
    await expect(run).rejects.toMatchObject({
      stdout: expect.stringContaining(
        "--since must be minutes, hours or days such as 30m, 1h or 2d",
      ),
    });
  }, 120_000);
});
