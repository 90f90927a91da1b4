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
    // and one more for the error budget over the compliance period: requests, errors, latency
    expect(pages).toEqual([500, 76, 3]);
    expect(report.calls).toMatchObject({ getMetricData: 3, metricsRequested: 579 });
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

describe("the error budget in the report", () => {
  it("reads the budget left over the compliance period from one call, and says it", async () => {
    // Prepare: 2,000 requests, 1 error (half the 0.1 % budget), 99.5 % within 1 s (half of 1 %)
    const { stack, alarmNames } = shop(1);
    const asked: { start: Date; end: Date; queries: unknown[] }[] = [];
    const client: ReportClient = {
      getMetricData: async (input) => {
        asked.push({
          start: input.StartTime,
          end: input.EndTime,
          queries: input.MetricDataQueries,
        });
        const answers: Record<string, number> = {
          budget_requests: 2000,
          budget_errors: 1,
          budget_good: 99.5,
        };
        return {
          MetricDataResults: input.MetricDataQueries.map((q) => ({
            Id: q.Id,
            Values: [answers[q.Id] ?? 10],
          })),
        };
      },
      describeAlarms: recordingClient(alarmNames).client.describeAlarms,
    };

    // Act
    const report = await runReport(client, { stack, alarmNames, stages: [] }, 3600, Date.now());

    // Assess
    expect(report.budget).toEqual({
      periodDays: 30,
      left: [
        { objective: "99.9% of requests answered", leftPercent: 50 },
        { objective: "99% within 1000 ms", leftPercent: 50 },
      ],
    });
    const last = asked.at(-1);
    expect((last?.end.getTime() ?? 0) - (last?.start.getTime() ?? 0)).toBe(30 * 86_400_000);
    expect(JSON.stringify(last?.queries)).toContain('"Period":2592000,"Stat":"PR(:1000)"');
    const text = formatReport(report, { color: false });
    expect(text).toContain(
      "error budget left over the last 30 days:\n  99.9% of requests answered: 50 %\n  99% within 1000 ms: 50 %",
    );
  });

  it("says nothing of a budget without objectives, and 'no requests' when there were none", async () => {
    const config = serviceConfig({ routes: ["api"] });
    const off = readServiceConfig({
      ...config,
      vitals: { ...(config.vitals as Record<string, unknown>), objectives: false },
    });
    const names = alarmNamesOf(buildStack(off).Resources);
    const none = await runReport(
      recordingClient(names).client,
      { stack: off, alarmNames: names, stages: [] },
      3600,
      Date.now(),
    );
    expect(none.budget).toBeUndefined();
    expect(formatReport(none, { color: false })).not.toContain("error budget");

    const { stack, alarmNames } = shop(1);
    const quiet: ReportClient = {
      getMetricData: async () => ({ MetricDataResults: [] }),
      describeAlarms: recordingClient(alarmNames).client.describeAlarms,
    };
    const report = await runReport(quiet, { stack, alarmNames, stages: [] }, 3600, Date.now());
    expect(report.budget?.left.map((b) => b.leftPercent)).toEqual([null, null]);
    expect(formatReport(report, { color: false })).toContain(
      "99.9% of requests answered: no requests",
    );
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
