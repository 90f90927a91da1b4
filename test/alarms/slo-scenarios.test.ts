/**
 * The burn-rate alarms proven offline against the SRE workbook's arithmetic. Each scenario is
 * minutes of lines that the real handlers wrote (a minute with k failed or slow requests is
 * recorded once through the real wrapper, then replayed at each minute it stands for, its
 * timestamps moved), ingested with CloudWatch's EMF rules and evaluated minute by minute through
 * the burn-rate alarms of the packaged `prod` template, as deployed.
 *
 * Every scenario starts after enough healthy history to fill the longest window that matters,
 * as a running service has: the workbook's detection time, the window × the burn rate × the
 * budget ÷ the error rate, assumes a window full of traffic.
 *
 * The fixed-threshold alarms are proven in scenarios.test.ts; here only the burn-rate alarms, their
 * pairs and the ticket are replayed, and "pages" means a page pair is in ALARM.
 */
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { burnPairs, DEFAULT_OBJECTIVES } from "../../infra/objectives";
import { pairIds, TICKET_ALARM_ID } from "../../infra/slo-alarms";
import {
  type AlarmTimeline,
  createMetricStore,
  firstMinuteIn,
  type MetricStore,
  MINUTE_MS,
  replayAlarms,
} from "../../local";
import { type Call, type CallSetup, linesOf, type RouteFunction } from "../fixtures/scenario";
import { packageService, type Template } from "../infra/package";

/** A whole minute, as the scenarios of scenarios.test.ts start. */
const START = Date.UTC(2026, 10, 2, 0, 0, 0);
const DAY_MINUTES = 1440;

type Handler = (event: unknown, context: Context) => Promise<unknown>;

let template: Template;
let setup: CallSetup;
/** The burn-rate resources of the packaged template: windows, pairs, TicketAlarm. */
let resources: Parameters<typeof replayAlarms>[0];
const ids = pairIds(DEFAULT_OBJECTIVES);
const PAGE_PAIRS = ids.filter((p) => p.pair.severity === "page").map((p) => p.composite);

beforeAll(async () => {
  ({ template } = await packageService(["--stage", "prod", "--region", "us-east-1"]));
  const fn = (id: string) => {
    const found = template.Resources[id]?.Properties;
    if (found === undefined) throw new Error(`no ${id} in the template`);
    return found;
  };
  const env = (fn("GetOrderLambdaFunction").Environment as { Variables: Record<string, string> })
    .Variables;
  for (const [name, value] of Object.entries(env))
    if (name !== "NODE_OPTIONS") vi.stubEnv(name, value);
  vi.resetModules();
  const [{ getOrder }, { createOrder }, { getInvoice }, vitals, store] = await Promise.all([
    import("../../functions/get-order"),
    import("../../functions/create-order"),
    import("../../functions/get-invoice"),
    import("../../functions/vitals"),
    import("../../functions/orders-store"),
  ]);
  setup = {
    modules: {
      handlers: { getOrder, createOrder, getInvoice } as Record<RouteFunction, Handler>,
      slowGetOrder: (ms: number) =>
        vitals.withVitals(async () => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return store.json(200, store.ORDERS.get("1001"));
        }) as Handler,
    },
    timeoutMs: Number(fn("GetOrderLambdaFunction").Timeout) * 1000,
  };
  const slo = new Set([...ids.flatMap((p) => [p.long, p.short, p.composite]), TICKET_ALARM_ID]);
  resources = Object.fromEntries(
    Object.entries(template.Resources).filter(([id]) => slo.has(id)),
  ) as typeof resources;
  expect(Object.keys(resources)).toHaveLength(slo.size);
}, 120_000);

afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

/** What goes wrong with a bad request: a 500 (getInvoice's missing dependency) or 1.5 s. */
type Bad = "error" | "slow";

/** One minute's calls: `bad` requests go wrong, the others are getOrder answered at once. */
function minuteCalls(perMinute: number, bad: number, kind: Bad): Call[] {
  return Array.from({ length: perMinute }, (_, i) =>
    i < bad
      ? kind === "error"
        ? { fn: "getInvoice", outcome: "error" }
        : { fn: "getOrder", outcome: "slow" }
      : { fn: "getOrder", outcome: "ok" },
  );
}

/** Recorded minutes by their number of bad requests: each is written once by the real handlers. */
const recorded = new Map<string, { at: number; lines: string[] }>();

async function recordedMinute(perMinute: number, bad: number, kind: Bad) {
  const key = `${perMinute}/${bad}/${kind}`;
  let minute = recorded.get(key);
  if (minute === undefined) {
    const at = START - 30 * DAY_MINUTES * MINUTE_MS;
    minute = { at, lines: await linesOf(setup, minuteCalls(perMinute, bad, kind), at) };
    expect(minute.lines).toHaveLength(perMinute);
    recorded.set(key, minute);
  }
  return minute;
}

/** A stretch of traffic: `minutes` at `perMinute` requests, a share `rate` of them bad. */
interface Stretch {
  readonly minutes: number;
  readonly perMinute: number;
  readonly rate: number;
  readonly kind?: Bad;
}

/**
 * Writes the stretches into a store, minute after minute from `from`. Bad requests are spread
 * evenly: minute m has as many as the running total ⌊rate × requests so far⌋ grew by.
 */
async function replayStretches(from: number, stretches: readonly Stretch[]): Promise<MetricStore> {
  const store = createMetricStore();
  let minute = 0;
  for (const stretch of stretches) {
    let requests = 0;
    let bad = 0;
    for (let m = 0; m < stretch.minutes; m += 1, minute += 1) {
      requests += stretch.perMinute;
      const due = Math.floor(stretch.rate * requests + 1e-9) - bad;
      bad += due;
      const { at, lines } = await recordedMinute(stretch.perMinute, due, stretch.kind ?? "error");
      const offset = from + minute * MINUTE_MS - at;
      for (const line of lines) {
        const moved = line.replace(
          /"Timestamp":(\d+)/,
          (_, stamp: string) => `"Timestamp":${Number(stamp) + offset}`,
        );
        const result = store.ingestLine(moved, from + minute * MINUTE_MS);
        if (!result.accepted) throw new Error(`CloudWatch would reject ${moved}: ${result.reason}`);
      }
    }
  }
  return store;
}

/**
 * Replays `history` minutes of healthy traffic, then the scenario's stretches, and evaluates
 * the burn-rate alarms over the scenario's minutes (minute 0 is its first).
 */
async function scenario(history: Stretch, stretches: readonly Stretch[]): Promise<AlarmTimeline> {
  const start = START;
  const from = start - history.minutes * MINUTE_MS;
  const store = await replayStretches(from, [history, ...stretches]);
  const minutes = stretches.reduce((total, s) => total + s.minutes, 0);
  return replayAlarms(resources, store, { start, minutes });
}

const firstPage = (timeline: AlarmTimeline): number | undefined => {
  const minutes = PAGE_PAIRS.map((id) => firstMinuteIn(timeline[id], "ALARM")).filter(
    (m): m is number => m !== undefined,
  );
  return minutes.length === 0 ? undefined : Math.min(...minutes);
};

const objective = DEFAULT_OBJECTIVES.availability;
const budget = (100 - objective) / 100;

/**
 * The workbook's detection time in minutes for a constant error rate: the first pair whose burn
 * rate the rate reaches fires after its long window × burn rate × budget ÷ error rate (the short
 * window, 1/12 as long, has seen it by then).
 */
function workbookMinutes(rate: number, severity: "page" | "ticket"): number | undefined {
  const times = burnPairs(DEFAULT_OBJECTIVES.periodDays)
    .filter((p) => p.severity === severity && rate >= p.burnRate * budget)
    .map((p) => ((p.longSeconds / 60) * p.burnRate * budget) / rate);
  return times.length === 0 ? undefined : Math.min(...times);
}

describe("burn-rate alarms against the workbook", { timeout: 240_000 }, () => {
  it("the packaged template keeps CloudWatch's limits: 10 metrics per alarm, windows CloudWatch evaluates, the rule's size", () => {
    for (const [id, resource] of Object.entries(resources)) {
      const p = resource.Properties;
      if (resource.Type === "AWS::CloudWatch::CompositeAlarm") {
        const rule = (p.AlarmRule as { "Fn::Sub": string })["Fn::Sub"];
        expect(rule.length, id).toBeLessThanOrEqual(10_240);
        continue;
      }
      const metrics = p.Metrics as { MetricStat?: { Period: number } }[];
      expect(metrics.length, id).toBeLessThanOrEqual(10);
      for (const m of metrics.filter((q) => q.MetricStat !== undefined)) {
        const period = m.MetricStat?.Period ?? 0;
        expect(period % 60, id).toBe(0);
        // PutMetricAlarm: at most 7 days in all, 1 day for periods under an hour
        const total = period * Number(p.EvaluationPeriods);
        expect(total, id).toBeLessThanOrEqual(period < 3600 ? 86_400 : 604_800);
      }
    }
  });

  it("detection time at a constant error rate against 99.9 % equals the workbook's, and 0.5 % opens a ticket and never pages", async () => {
    const perMinute = 20;
    const history = { minutes: 3 * DAY_MINUTES, perMinute, rate: 0 };
    const rows: string[] = [];
    for (const rate of [1, 0.1, 0.02, 0.01, 0.005]) {
      const severity = workbookMinutes(rate, "page") === undefined ? "ticket" : "page";
      const expected = workbookMinutes(rate, severity) ?? Number.NaN;
      const timeline = await scenario(history, [
        { minutes: Math.ceil(expected) + 60, perMinute, rate },
      ]);
      const fired =
        severity === "page"
          ? firstPage(timeline)
          : firstMinuteIn(timeline[TICKET_ALARM_ID], "ALARM");
      // evaluated at the end of each minute, with whole failed requests: the alarm fires at the
      // end of the minute the budget spent crosses its share, plus up to one request's worth
      const perBad = 1 / (rate * perMinute);
      rows.push(
        `| ${rate * 100} % | ${severity} | ${expected.toFixed(1)} | ${fired === undefined ? "never" : fired + 1} |`,
      );
      expect(fired, `${rate}`).toBeDefined();
      expect((fired ?? 0) + 1, `${rate}`).toBeGreaterThanOrEqual(Math.ceil(expected - 1e-9));
      expect((fired ?? 0) + 1, `${rate}`).toBeLessThanOrEqual(Math.ceil(expected + perBad) + 1);
      if (severity === "ticket") expect(firstPage(timeline), `${rate} pages`).toBeUndefined();
    }
    console.log(
      [
        "| error rate | first alert | workbook, minutes | replayed, minutes |",
        "| --- | --- | --- | --- |",
        ...rows,
      ].join("\n"),
    );
  });

  it("after a 100 % outage of 10 minutes, each pair clears within its short window, so the page within 30 minutes", async () => {
    const perMinute = 20;
    const timeline = await scenario({ minutes: 6 * 60, perMinute, rate: 0 }, [
      { minutes: 10, perMinute, rate: 1 },
      { minutes: 120, perMinute, rate: 0 },
    ]);
    for (const { composite, pair } of ids.filter((p) => p.indicator === "availability")) {
      const states = timeline[composite] ?? [];
      if (pair.severity === "ticket") continue;
      expect(states.slice(0, 10), composite).toContain("ALARM");
      const cleared = states.indexOf("OK", 10);
      expect(cleared, composite).toBeGreaterThanOrEqual(10);
      // the short window empties of failures `short` minutes after the last one
      expect(cleared - 10, composite).toBeLessThanOrEqual(pair.shortSeconds / 60);
      expect(states.slice(cleared), composite).not.toContain("ALARM");
    }
    const page = PAGE_PAIRS.map((id) => timeline[id] ?? []);
    const lastPaging = Math.max(...page.map((states) => states.lastIndexOf("ALARM")));
    expect(lastPaging - 9).toBeLessThanOrEqual(30);
  });

  it("0.05 % errors for 30 days never pages or opens a ticket; nor does 1 failure in 30 days at 20 requests a day", async () => {
    const busy = await scenario({ minutes: 3 * DAY_MINUTES, perMinute: 2, rate: 0.0005 }, [
      { minutes: 30 * DAY_MINUTES, perMinute: 2, rate: 0.0005 },
    ]);
    for (const id of [...ids.map((p) => p.composite), TICKET_ALARM_ID])
      expect(busy[id], id).not.toContain("ALARM");
    // 20 requests a day: one an hour for 20 hours of each day, and one of them fails
    const quietMinutes = (failing: boolean): Stretch[] =>
      Array.from({ length: 72 }, (_, i) => [
        { minutes: 1, perMinute: 1, rate: failing && i === 40 ? 1 : 0 },
        { minutes: 59, perMinute: 0, rate: 0 },
      ]).flat();
    const quiet = await scenario(
      { minutes: 3 * DAY_MINUTES, perMinute: 0, rate: 0 },
      Array.from({ length: 10 }, (_, day) => quietMinutes(day === 4)).flat(),
    );
    for (const id of [...PAGE_PAIRS, TICKET_ALARM_ID]) expect(quiet[id], id).not.toContain("ALARM");
    // the guard is what keeps it quiet: the failure alone is a burn rate far above every threshold
    const short = ids.find((p) => p.indicator === "availability" && p.pair.id === "FastBurn");
    expect(quiet[short?.short ?? ""]).toContain("ALARM");
  });

  it("latency against 99 % within 1 s: 20 % slow for 2 h pages, 3 % for 2 h spends 0.8 % of the budget and fires nothing, 0.5 % nothing", async () => {
    const perMinute = 20;
    const history = { minutes: 6 * 60, perMinute, rate: 0 };
    const run = (rate: number) =>
      scenario(history, [{ minutes: 120, perMinute, rate, kind: "slow" }]);
    const latencyPages = ids.filter((p) => p.indicator === "latency" && p.pair.severity === "page");
    const fast = await run(0.2);
    // the fast pair: 60 min × 14.4 × 1 % ÷ 20 % = 43.2 minutes
    const first = firstMinuteIn(fast[latencyPages[0]?.composite ?? ""], "ALARM");
    expect(first).toBeDefined();
    expect((first ?? 0) + 1).toBeGreaterThanOrEqual(43);
    expect((first ?? 0) + 1).toBeLessThanOrEqual(45);
    for (const rate of [0.03, 0.005]) {
      const timeline = await run(rate);
      for (const id of [...latencyPages.map((p) => p.composite), TICKET_ALARM_ID])
        expect(timeline[id], `${rate} ${id}`).not.toContain("ALARM");
    }
  });
});
