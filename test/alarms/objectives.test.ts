/**
 * The objectives (infra/objectives.ts) and the burn-rate alarms made from them
 * (infra/slo-alarms.ts): the settings and their errors, the workbook's burn rates for any period,
 * and what each window, pair and ticket alarm reads.
 */
import { describe, expect, it } from "vitest";
import {
  burnPairs,
  DEFAULT_OBJECTIVES,
  OBJECTIVE_SETTINGS,
  OBJECTIVE_TABLE,
  objectiveSettings,
  pagePairCount,
} from "../../infra/objectives";
import { readServiceConfig } from "../../infra/service";
import { budgetPercent, pageAlarmNames, windowLabel } from "../../infra/slo-alarms";
import { buildStack } from "../../infra/stack";
import { createMetricStore, firstMinuteIn, replayAlarms } from "../../local";
import { emfLine } from "../fixtures/emf-lines";
import { serviceConfig } from "../fixtures/service-config";

function stack(vitals: Record<string, unknown> = {}, param?: string[]) {
  const config = serviceConfig();
  const input = readServiceConfig({
    ...config,
    vitals: { ...(config.vitals as Record<string, unknown>), ...vitals },
    ...(param === undefined ? {} : { options: { param } }),
  });
  return buildStack(input).Resources;
}

function props(resources: ReturnType<typeof stack>, id: string): Record<string, unknown> {
  const found = resources[id]?.Properties;
  if (found === undefined) throw new Error(`no ${id}`);
  return found;
}

const ruleOf = (p: Record<string, unknown>) => (p.AlarmRule as { "Fn::Sub": string })["Fn::Sub"];

describe("the objectives' settings", () => {
  it("default to 99.9 % available, 99 % within 1 s, over 30 days, from the one table", () => {
    expect(objectiveSettings(undefined, {})).toEqual(DEFAULT_OBJECTIVES);
    expect(DEFAULT_OBJECTIVES).toMatchObject({
      availability: 99.9,
      latencyPercent: 99,
      latencyMs: 1000,
      periodDays: 30,
      minBadRequests: 3,
      replaceThresholdPages: false,
    });
    expect(OBJECTIVE_SETTINGS).toEqual(Object.keys(OBJECTIVE_TABLE));
  });

  it("take a --param over the setting, as numbers from YAML or strings from the command line", () => {
    const objectives = objectiveSettings(
      { availability: 99.5, latencyMs: "800" },
      { sloAvailability: "99.95", sloReplaceThresholdPages: "true" },
    );
    expect(objectives).toMatchObject({
      availability: 99.95,
      latencyMs: 800,
      replaceThresholdPages: true,
    });
  });

  it("are off with false: no burn-rate alarm, no ticket", () => {
    expect(objectiveSettings(false, {})).toBeUndefined();
    const resources = stack({ objectives: false });
    expect(Object.keys(resources).filter((id) => /Burn|Ticket/.test(id))).toEqual([]);
    expect(ruleOf(props(resources, "PageAlarm"))).not.toContain("Burn");
  });

  it.each([
    [
      { availability: 100 },
      /availability .*above 0 and below 100, got 100: 100 leaves no error budget/,
    ],
    [{ availability: 0 }, /above 0 and below 100, got 0/],
    [{ latencyPercent: 100.5 }, /latencyPercent .*got 100.5/],
    [{ availability: "most" }, /got most/],
    [
      { latencyMs: 0 },
      /latencyMs \(--param sloLatencyMs\) must be a number of milliseconds > 0, got 0/,
    ],
    [{ latencyMs: -5 }, /got -5/],
    [{ periodDays: 2 }, /periodDays .*whole number of days from 3 .* to 455 .*got 2/],
    [{ periodDays: 7.5 }, /got 7.5/],
    [{ periodDays: 456 }, /got 456/],
    [{ minBadRequests: 0 }, /minBadRequests .*whole number >= 1, got 0/],
    [{ replaceThresholdPages: "yes" }, /replaceThresholdPages .*true or false, got yes/],
    [
      { availabilty: 99 },
      /custom.vitals.objectives.availabilty is not a setting; known: availability/,
    ],
  ])("refuses %j at package time, naming the setting", (written, message) => {
    expect(() => objectiveSettings(written, {})).toThrow(message);
    expect(() => stack({ objectives: written })).toThrow(message);
  });

  it("refuses a bad --param the same way", () => {
    expect(() => stack({}, ["sloAvailability=100"])).toThrow(/--param sloAvailability/);
  });
});

describe("the workbook's burn rates", () => {
  it("are 14.4, 6 and 1 over 30 days, with short windows 1/12 of the long", () => {
    expect(burnPairs(30)).toEqual([
      expect.objectContaining({
        id: "FastBurn",
        severity: "page",
        burnRate: 14.4,
        longSeconds: 3600,
        shortSeconds: 300,
      }),
      expect.objectContaining({
        id: "SlowBurn",
        severity: "page",
        burnRate: 6,
        longSeconds: 21_600,
        shortSeconds: 1800,
      }),
      expect.objectContaining({
        id: "Ticket",
        severity: "ticket",
        burnRate: 1,
        longSeconds: 259_200,
        shortSeconds: 21_600,
      }),
    ]);
  });

  it("follow the period: the same shares of the budget over 28 days", () => {
    expect(burnPairs(28).map((p) => p.burnRate)).toEqual([13.44, 5.6, 0.9333]);
  });

  it("read windows and budgets as people write them", () => {
    expect([300, 1800, 3600, 21_600, 259_200].map(windowLabel)).toEqual([
      "5m",
      "30m",
      "1h",
      "6h",
      "3d",
    ]);
    expect(budgetPercent(99.9)).toBe(0.1);
    expect(budgetPercent(99.95)).toBe(0.05);
  });
});

describe("the burn-rate alarms", () => {
  const resources = stack();

  it("read the service's Requests and Errors over the whole window, as a burn rate, guarded in the long window only", () => {
    const long = props(resources, "AvailabilityFastBurnLongAlarm");
    expect(long).toMatchObject({
      AlarmName: "shop-prod-slo-availability-fast-burn-1h",
      Threshold: 14.4,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: "notBreaching",
    });
    const metrics = long.Metrics as Record<string, Record<string, unknown>>[];
    expect(metrics.map((m) => [m.Id, m.MetricStat?.Stat, m.MetricStat?.Period])).toEqual([
      ["requests", "Sum", 3600],
      ["bad", "Sum", 3600],
      ["burn", undefined, undefined],
    ]);
    expect(metrics[0]?.MetricStat?.Metric).toMatchObject({
      MetricName: "Requests",
      Dimensions: [{ Name: "Service", Value: "shop" }],
    });
    expect(metrics[1]?.MetricStat?.Metric).toMatchObject({ MetricName: "Errors" });
    expect(metrics[2]?.Expression).toBe("IF(bad >= 3, 100 * bad / requests / 0.1, 0)");
    const short = props(resources, "AvailabilityFastBurnShortAlarm");
    expect((short.Metrics as { Expression?: string }[])[2]?.Expression).toBe(
      "100 * bad / requests / 0.1",
    );
    expect((short.Metrics as { MetricStat?: { Period: number } }[])[0]?.MetricStat?.Period).toBe(
      300,
    );
  });

  it("count latency's good requests with PR(:latencyMs) over Latency in milliseconds", () => {
    const custom = stack({
      objectives: { latencyMs: 750, latencyPercent: 99.5, minBadRequests: 5 },
    });
    const metrics = props(custom, "LatencySlowBurnLongAlarm").Metrics as Record<
      string,
      Record<string, unknown>
    >[];
    expect(metrics[0]?.MetricStat).toMatchObject({
      Stat: "SampleCount",
      Period: 21_600,
      Unit: "Milliseconds",
    });
    expect(metrics[1]?.MetricStat).toMatchObject({
      Stat: "PR(:750)",
      Period: 21_600,
      Unit: "Milliseconds",
    });
    expect(metrics[2]?.Expression).toBe(
      "IF(total * (100 - good) / 100 >= 5, (100 - good) / 0.5, 0)",
    );
    expect(props(custom, "LatencySlowBurnLongAlarm").Threshold).toBe(6);
  });

  it("join each long and short window in a composite; the page reads the page pairs, the ticket the ticket pairs", () => {
    expect(ruleOf(props(resources, "LatencyTicketAlarm"))).toBe(
      `ALARM("\${LatencyTicketLongAlarm.Arn}") AND ALARM("\${LatencyTicketShortAlarm.Arn}")`,
    );
    expect(props(resources, "LatencyTicketAlarm").AlarmActions).toBeUndefined();
    const page = ruleOf(props(resources, "PageAlarm"));
    for (const id of [
      "AvailabilityFastBurnAlarm",
      "AvailabilitySlowBurnAlarm",
      "LatencyFastBurnAlarm",
      "LatencySlowBurnAlarm",
    ])
      expect(page).toContain(`ALARM("\${${id}.Arn}")`);
    expect(page).not.toMatch(/Ticket|LongAlarm|ShortAlarm/);
    expect(ruleOf(props(resources, "TicketAlarm"))).toBe(
      `ALARM("\${AvailabilityTicketAlarm.Arn}") OR ALARM("\${LatencyTicketAlarm.Arn}")`,
    );
  });

  it("send tickets to ticketEmail, else to the alarm e-mail, through a topic of their own", () => {
    const same = stack({}, ["alarmEmail=oncall@example.com"]);
    expect(props(same, "TicketEmailSubscription").Endpoint).toBe("oncall@example.com");
    expect(same.TicketTopic?.Condition).toBe("HasTicketEmail");
    expect(props(same, "TicketAlarm").AlarmActions).toEqual({
      "Fn::If": ["HasTicketEmail", [{ Ref: "TicketTopic" }], { Ref: "AWS::NoValue" }],
    });
    const own = stack({ alarms: { ticketEmail: "team@example.com" } }, [
      "alarmEmail=oncall@example.com",
    ]);
    expect(props(own, "TicketEmailSubscription").Endpoint).toBe("team@example.com");
    expect(props(own, "AlarmEmailSubscription").Endpoint).toBe("oncall@example.com");
  });

  it("take the error-rate and p99 alarms out of the page with replaceThresholdPages, and keep them", () => {
    const replaced = stack({ objectives: { replaceThresholdPages: true } });
    const page = ruleOf(props(replaced, "PageAlarm"));
    expect(page).not.toContain("ErrorRateAlarm");
    expect(page).not.toContain("LatencyP99Alarm");
    expect(page).toContain("TimeoutsAlarm");
    expect(page).toContain("AvailabilityFastBurnAlarm");
    expect(replaced.ErrorRateAlarm).toBeDefined();
    expect(ruleOf(props(resources, "PageAlarm"))).toContain("ErrorRateAlarm");
  });
});

describe("objectives of a route's own", () => {
  const withRoutes = (routes: unknown) => stack({ objectives: { routes } });

  it("read the route's settings and take the service's for the rest", () => {
    const objectives = objectiveSettings(
      { latencyMs: 800, routes: { "GET /getOrder": { availability: 99.99 } } },
      {},
    );
    expect(objectives?.routes).toEqual([
      { route: "GET /getOrder", availability: 99.99, latencyPercent: 99, latencyMs: 800 },
    ]);
  });

  it.each([
    [
      { "GET /getOrder": { availability: 100 } },
      /routes\["GET \/getOrder"\]\.availability must be a percentage above 0 and below 100, got 100/,
    ],
    [
      { "GET /getOrder": { latencyMs: "soon" } },
      /routes\["GET \/getOrder"\]\.latencyMs must be a number of milliseconds > 0, got soon/,
    ],
    [
      { "GET /getOrder": { periodDays: 7 } },
      /routes\["GET \/getOrder"\]\.periodDays is not a setting of a route; known: availability, latencyPercent, latencyMs/,
    ],
    [{ "GET /getOrder": 99.9 }, /routes\["GET \/getOrder"\] must be a mapping/],
    [
      { "GET /nowhere": { availability: 99 } },
      /routes\["GET \/nowhere"\]: no function answers that route; the routes are "GET \/getOrder"/,
    ],
  ])("refuse %j at package time", (routes, message) => {
    expect(() => withRoutes(routes)).toThrow(message);
  });

  it("count the page pairs as many as the health function gets names of", () => {
    const objectives = objectiveSettings(
      { routes: { "GET /a": {}, "GET /b": { availability: 99 } } },
      {},
    );
    if (objectives === undefined) throw new Error("no objectives");
    expect(pagePairCount(objectives)).toBe(12);
    expect(pageAlarmNames({ service: "shop", stage: "prod" }, objectives)).toHaveLength(12);
    expect(pagePairCount(DEFAULT_OBJECTIVES)).toBe(4);
  });

  it("refuse more routes than GET /health can ask about in one call", () => {
    const routes = Array.from({ length: 25 }, (_, i) => `route${i}`);
    const config = serviceConfig({ routes });
    const objectives = { routes: Object.fromEntries(routes.map((r) => [`GET /${r}`, {}])) };
    expect(() =>
      readServiceConfig({ ...config, vitals: { ...(config.vitals as object), objectives } }),
    ).toThrow(/25 routes with objectives of their own; at most 24/);
  });

  it("get burn-rate alarms on the route's series, pairs that page and a ticket, beside the service's", () => {
    const resources = withRoutes({ "GET /getOrder": { availability: 99.99, latencyMs: 300 } });

    const long = props(resources, "RouteGetGetorderAvailabilityFastBurnLongAlarm");
    expect(long.AlarmName).toBe("shop-prod-slo-get-getorder-availability-fast-burn-1h");
    const metrics = long.Metrics as Record<string, Record<string, Record<string, unknown>>>[];
    expect(metrics[0]?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: "Service", Value: "shop" },
      { Name: "Route", Value: "GET /getOrder" },
    ]);
    expect((long.Metrics as { Expression?: string }[])[2]?.Expression).toBe(
      "IF(bad >= 3, 100 * bad / requests / 0.01, 0)",
    );
    const latency = props(resources, "RouteGetGetorderLatencyFastBurnShortAlarm");
    expect(JSON.stringify(latency.Metrics)).toContain('"Stat":"PR(:300)"');
    const page = ruleOf(props(resources, "PageAlarm"));
    expect(page).toContain("RouteGetGetorderAvailabilityFastBurnAlarm.Arn");
    expect(page).toContain("AvailabilityFastBurnAlarm.Arn");
    expect(ruleOf(props(resources, "TicketAlarm"))).toContain(
      "RouteGetGetorderLatencyTicketAlarm.Arn",
    );
    // the route's budget on the dashboard is judged by the route's objective
    const body = (props(resources, "VitalsDashboard").DashboardBody as { "Fn::Sub": string })[
      "Fn::Sub"
    ];
    expect(body).toContain("objectives 99.99% available, 99% within 300 ms) · GET /getOrder");
    expect(body).toContain("objectives 99.9% available, 99% within 1000 ms) · GET /createOrder");
  });

  it("fire for the route that burns its own budget while the service's stays inside its own", () => {
    // 100 requests a minute to getOrder, 1 of them failing (1 %); 900 a minute elsewhere, none
    // failing: the service is at 0.1 % errors (its 99.9 % objective's burn rate is 1), the route
    // at 1 % against its 99.99 % (a burn rate of 100).
    const config = serviceConfig();
    const input = readServiceConfig({
      ...config,
      vitals: {
        ...(config.vitals as object),
        objectives: { routes: { "GET /getOrder": { availability: 99.99 } } },
      },
    });
    const { Resources } = buildStack(input);
    const store = createMetricStore();
    const start = Date.UTC(2026, 10, 2, 12, 0, 0);
    for (let minute = -60; minute < 10; minute += 1) {
      const at = start + minute * 60_000 + 1000;
      const line = (route: string, failed: boolean) =>
        emfLine({
          timestamp: at,
          namespace: "Shop/prod",
          members: { Route: route, Errors: failed ? 1 : 0 },
        });
      const failing = minute >= 0;
      for (let i = 0; i < 100; i += 1)
        store.ingestLine(line("GET /getOrder", failing && i === 0), at);
      for (let i = 0; i < 900; i += 1) store.ingestLine(line("GET /createOrder", false), at);
    }
    const burnRate = Object.fromEntries(
      Object.entries(Resources).filter(
        ([id]) =>
          /Burn|Ticket/.test(id) && !id.endsWith("Topic") && id !== "TicketEmailSubscription",
      ),
    ) as Parameters<typeof replayAlarms>[0];

    const timeline = replayAlarms(burnRate, store, { start, minutes: 10 });

    // the route's fast pair: its hour holds 10 failures in 6,000 requests, 0.17 %: a burn of 16.7
    expect(firstMinuteIn(timeline.RouteGetGetorderAvailabilityFastBurnAlarm, "ALARM")).toBe(8);
    expect(timeline.AvailabilityFastBurnAlarm).not.toContain("ALARM");
    expect(timeline.AvailabilitySlowBurnAlarm).not.toContain("ALARM");
  });
});
