/**
 * The report's pure parts (infra/report*.ts): one GetMetricData call per page of 500 queries,
 * colour only when asked, `--since` read or refused, and failures said so a user can act.
 */
import { describe, expect, it } from "vitest";
import { alarmNamesOf, type ReportClient, reportFailure, runReport } from "../../infra/report";
import { planQueries, sinceSeconds } from "../../infra/report-queries";
import { formatReport } from "../../infra/report-text";
import { readServiceConfig } from "../../infra/service";
import { buildStack } from "../../infra/stack";
import { serviceConfig } from "../fixtures/service-config";

/** A CloudWatch that answers every query with 10 and records the calls; alarms all OK but one. */
function recordingClient(names: readonly string[]) {
  const pages: number[] = [];
  const client: ReportClient = {
    getMetricData: async (input) => {
      pages.push(input.MetricDataQueries.length);
      return {
        MetricDataResults: input.MetricDataQueries.map((q) => ({ Id: q.Id, Values: [10] })),
      };
    },
    describeAlarms: async (input) => ({
      MetricAlarms: input.AlarmNames.map((name, i) => ({
        AlarmName: name,
        StateValue: i === 3 ? "ALARM" : "OK",
        StateReason: "",
      })),
    }),
  };
  return { client, pages, names };
}

/** One function answering `routes` routes, beside the health function. */
function shop(routes: number) {
  const events = Array.from({ length: routes }, (_, i) => ({ httpApi: `GET /r${i}` }));
  const config = serviceConfig({ routes: ["api"], functions: { api: { events } } });
  const stack = readServiceConfig(config);
  return { stack, alarmNames: alarmNamesOf(buildStack(stack).Resources) };
}

describe("runReport", () => {
  it("asks GetMetricData once per page of 500 queries", async () => {
    // Prepare: 70 routes + /health + the service: 72 rows × 8 figures = 576 queries
    const { stack, alarmNames } = shop(70);
    const { client, pages } = recordingClient(alarmNames);

    // Act
    const report = await runReport(
      client,
      { stack, alarmNames, stages: ["prod"] },
      3600,
      Date.now(),
    );

    // Assess
    expect(planQueries(stack, 3600)).toHaveLength(576);
    expect(pages).toEqual([500, 76]);
    expect(report.calls).toMatchObject({ getMetricData: 2, metricsRequested: 576 });
    // 10 requests, 10 errors: 100 %
    expect(report.total).toMatchObject({ requests: 10, errorsPercent: 100, p99: 10 });
    expect(report.alarms[0]?.state).toBe("ALARM");
  });

  it("reads a window of whole minutes that ends after the current one", async () => {
    const { stack, alarmNames } = shop(1);
    const { client } = recordingClient(alarmNames);
    const now = Date.parse("2026-12-04T10:30:20Z");
    const report = await runReport(client, { stack, alarmNames, stages: [] }, 1800, now);
    expect([report.start, report.end]).toEqual([
      "2026-12-04T10:01:00.000Z",
      "2026-12-04T10:31:00.000Z",
    ]);
  });
});

describe("formatReport", () => {
  it("colours alarm states only when asked", async () => {
    const { stack, alarmNames } = shop(1);
    const { client } = recordingClient(alarmNames);
    const report = await runReport(client, { stack, alarmNames, stages: [] }, 3600, Date.now());
    expect(formatReport(report, { color: true })).toContain("\u001b[31mALARM");
    expect(formatReport(report, { color: false })).not.toContain("\u001b[");
  });
});

describe("sinceSeconds", () => {
  it("reads minutes, hours and days", () => {
    expect([sinceSeconds("30m"), sinceSeconds("1h"), sinceSeconds("2d")]).toEqual([
      1800, 3600, 172_800,
    ]);
  });

  it.each(["", "1", "0m", "16d", "1w", "-1h", "1.5h"])("refuses %j", (value) => {
    expect(() => sinceSeconds(value)).toThrow("--since must be minutes, hours or days");
  });
});

describe("reportFailure", () => {
  it("names each failure so a user can act on it", () => {
    const error = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(
      reportFailure(error("CredentialsProviderError", "Could not load credentials"), "eu-west-1"),
    ).toContain("no AWS credentials: the report reads CloudWatch in eu-west-1");
    expect(reportFailure(error("ExpiredToken", "expired"), "us-east-1")).toContain(
      "AWS refused the credentials",
    );
    expect(reportFailure(error("AccessDenied", "no"), "us-east-1")).toContain(
      "cloudwatch:DescribeAlarms",
    );
    expect(reportFailure(error("Throttling", "slow down"), "us-east-1")).toBe(
      "lambda-vitals: the report could not read CloudWatch in us-east-1: Throttling: slow down",
    );
  });
});
