/**
 * The error budget on the dashboard: the widgets the generator writes (budget left over the
 * compliance period, the burn rate over the alarms' long windows, per service and per route),
 * drawn by the local dashboard from EMF lines as CloudWatch would compute them.
 */
import { describe, expect, it } from "vitest";
import { readServiceConfig } from "../../infra/service";
import { buildStack } from "../../infra/stack";
import { createMetricStore, MINUTE_MS, minuteOf } from "../../local";
import { relativeMinutes, viewDashboard, type WidgetView } from "../../local/dashboard-view";
import { readDeployedDashboard } from "../../local/deployed-dashboard";
import { emfLine } from "../fixtures/emf-lines";

const NOW = minuteOf(Date.now()) + 30_000;
const ROUTE = "GET /orders/{id}";

function dashboard(objectives?: unknown) {
  const input = readServiceConfig({
    service: "shop",
    stage: "prod",
    region: "eu-west-1",
    functions: { getOrder: { events: [{ httpApi: ROUTE }] } },
    vitals: { namespace: "Shop/prod", ...(objectives === undefined ? {} : { objectives }) },
  });
  const resources = buildStack(input).Resources as Parameters<typeof readDeployedDashboard>[0];
  return readDeployedDashboard(resources, "eu-west-1");
}

/** `count` requests spread over the last 10 minutes, `failed` of them 500s, `slow` of them 1.5 s. */
function traffic(count: number, failed: number, slow: number) {
  const store = createMetricStore();
  for (let i = 0; i < count; i += 1) {
    const at = NOW - (i % 10) * MINUTE_MS;
    const line = emfLine({
      timestamp: at,
      namespace: "Shop/prod",
      members: {
        Route: ROUTE,
        Errors: i < failed ? 1 : 0,
        Latency: i >= count - slow ? 1500 : 40,
        status: i < failed ? 500 : 200,
      },
    });
    const result = store.ingestLine(line, NOW);
    if (!result.accepted) throw new Error(result.reason);
  }
  return store;
}

type MetricView = Extract<WidgetView, { kind: "metric" }>;

function values(views: WidgetView[], title: string): Record<string, number | null> {
  const found = views.find(
    (v): v is MetricView => v.kind === "metric" && v.title.startsWith(title),
  );
  if (found === undefined) throw new Error(`no widget "${title}"`);
  expect(found.problems).toEqual([]);
  expect(found.times).toHaveLength(1);
  return Object.fromEntries(found.series.map((s) => [s.label, s.points[0] ?? null]));
}

describe("the error budget on the dashboard", () => {
  it("shows the budget left over 30 days and the burn rate of the last hour, from the lines", () => {
    // 1 failure in 2,000 is half the 0.1 % budget; 10 slow in 2,000 half the 1 % budget
    const views = viewDashboard(dashboard(), traffic(2000, 1, 10), { end: NOW, minutes: 30 }, []);

    const left = values(views, "Error budget left over 30 days");
    expect(left.availability).toBeCloseTo(50, 9);
    expect(left.latency).toBeCloseTo(50, 9);
    const burn = values(views, "Burn rate, last 1 h");
    expect(burn.availability).toBeCloseTo(0.5, 9);
    expect(burn.latency).toBeCloseTo(0.5, 9);
  });

  it("goes below 0 when the budget is overspent, and has a row per route", () => {
    const views = viewDashboard(dashboard(), traffic(1000, 3, 0), { end: NOW, minutes: 30 }, []);

    // 0.3 % failed against a 0.1 % budget: three budgets spent, 200 % over
    expect(values(views, "Error budget left over 30 days").availability).toBeCloseTo(-200, 9);
    const route = views.filter(
      (v): v is MetricView => v.kind === "metric" && v.title.endsWith(`· ${ROUTE}`),
    );
    const budget = route.find((v) => v.title.startsWith("Error budget left over 30 days"));
    expect(budget?.series.map((s) => Math.round(s.points[0] ?? Number.NaN))).toEqual([-200, 100]);
    // and its burn rate over the last hour: 0.3 % failed against 0.1 %
    const burn = route.find((v) => v.title.startsWith("Burn rate, last 1 h"));
    expect(burn?.series[0]?.points[0]).toBeCloseTo(3, 9);
    expect(route.some((v) => v.title.startsWith("Burn rate, last 6 h"))).toBe(false);
  });

  it("follows the objectives, and is left out with objectives: false", () => {
    const strict = dashboard({ availability: 99.95, latencyMs: 100, periodDays: 28 });
    const views = viewDashboard(strict, traffic(2000, 1, 0), { end: NOW, minutes: 30 }, []);
    // 1 in 2,000 is the whole 0.05 % budget; every request over 100 ms? none: all take 40 ms
    const left = values(views, "Error budget left over 28 days");
    expect(left.availability).toBeCloseTo(0, 9);
    expect(left.latency).toBeCloseTo(100, 9);
    const none = viewDashboard(dashboard(false), traffic(10, 0, 0), { end: NOW, minutes: 30 }, []);
    expect(none.some((v) => v.kind === "metric" && /budget|Burn rate/i.test(v.title))).toBe(false);
  });

  it("reads a widget's relative start as the console writes it", () => {
    expect(["-PT1H", "-PT6H", "-P3D", "-P30D", "-PT15M"].map(relativeMinutes)).toEqual([
      60, 360, 4320, 43_200, 15,
    ]);
    expect(relativeMinutes("P1D")).toBeUndefined();
    expect(relativeMinutes("-P")).toBeUndefined();
    expect(relativeMinutes("2026-01-01T00:00:00Z")).toBeUndefined();
  });
});
