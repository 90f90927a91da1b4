/**
 * Every alarm proven offline: each scenario replays what the real handlers write (and what AWS
 * would count) through the alarms of the packaged `prod` template, and names the alarms that
 * must fire and the minute by which they must. Every other alarm must stay OK throughout.
 *
 * Minutes are counted from the scenario's start, after 5 healthy minutes of warm-up (an alarm
 * that treats missing data as breaching starts in ALARM on a fresh stack; a running service has
 * history).
 */
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_OBJECTIVES } from "../../infra/objectives";
import { pairIds, TICKET_ALARM_ID } from "../../infra/slo-alarms";
import {
  type AlarmTimeline,
  createMetricStore,
  firstMinuteIn,
  type MetricStore,
  replayAlarms,
} from "../../local";
import { pointSdkAt } from "../fixtures/cloudwatch-server";
import {
  type Call,
  type HealthRun,
  type Minute,
  type RouteFunction,
  runScenario,
  type ScenarioSetup,
  steadyTraffic,
  withOutcome,
} from "../fixtures/scenario";
import { type StoreCloudWatch, startStoreCloudWatch } from "../fixtures/store-cloudwatch";
import { packageService, type Template } from "../infra/package";

const WARMUP = 5;
const MINUTES = 10;
const API_ID = "a1b2c3d4e5";
/** A whole minute, well inside CloudWatch's accepted range of the faked clock. */
const START = Date.UTC(2026, 10, 25, 9, 0, 0);

let template: Template;
let setup: ScenarioSetup;
let cloudWatch: StoreCloudWatch;
const storeRef: { current: MetricStore } = { current: createMetricStore() };

type Handler = (event: unknown, context: Context) => Promise<unknown>;

beforeAll(async () => {
  ({ template } = await packageService(["--stage", "prod", "--region", "us-east-1"]));
  cloudWatch = await startStoreCloudWatch(() => storeRef.current);
  const fn = (id: string) => {
    const resource = template.Resources[id];
    if (resource?.Properties === undefined) throw new Error(`no ${id} in the template`);
    return resource.Properties;
  };
  // The health function's environment exactly as it deploys (thresholds, siblings, namespace)...
  const env = (fn("HealthLambdaFunction").Environment as { Variables: Record<string, string> })
    .Variables;
  for (const [name, value] of Object.entries(env))
    if (name !== "NODE_OPTIONS") vi.stubEnv(name, value);
  // ...pointed at the store, with no cache: runs here are a few milliseconds apart, not a minute.
  vi.stubEnv("HEALTH_CACHE_MS", "0");
  vi.stubEnv("IS_OFFLINE", "");
  pointSdkAt(cloudWatch.url);
  vi.resetModules();
  const [
    { getOrder },
    { createOrder },
    { getInvoice },
    { handler: health },
    vitals,
    siblings,
    store,
  ] = await Promise.all([
    import("../../functions/get-order"),
    import("../../functions/create-order"),
    import("../../functions/get-invoice"),
    import("../../functions/health"),
    // the package's two entries, lambda-vitals and lambda-vitals/health
    Promise.all([import("../../functions/vitals"), import("../../functions/vitals/health")]).then(
      ([main, health]) => ({ ...main, ...health }),
    ),
    import("../../functions/vitals/health/siblings-check"),
    import("../../functions/orders-store"),
  ]);
  const settings = vitals.healthSettings(process.env);
  const healthWithDependencyDown = vitals.withVitals(
    vitals.healthHandler({
      settings,
      checks: [
        ...vitals.runtimeChecks(),
        ...vitals.cloudWatchChecks(settings),
        ...siblings.siblingChecks(settings),
        // A team's own check, as the README shows: here the database it pings is down.
        {
          name: "database:ping",
          onFailure: "fail",
          run: () => ({ status: "fail", output: "connection refused" }),
        },
      ],
    }),
    { serviceWide: false },
  ) as Handler;
  const slowGetOrder = (ms: number) =>
    vitals.withVitals(async () => {
      // A dependency that answers after `ms`, or never.
      if (Number.isFinite(ms)) await new Promise((resolve) => setTimeout(resolve, ms));
      else await new Promise(() => {});
      return store.json(200, store.ORDERS.get("1001"));
    }) as Handler;
  const name = (id: string) => String(fn(id).FunctionName);
  setup = {
    modules: {
      handlers: { getOrder, createOrder, getInvoice } as Record<RouteFunction, Handler>,
      health: health as Handler,
      healthWithDependencyDown,
      slowGetOrder,
    },
    functionNames: {
      getOrder: name("GetOrderLambdaFunction"),
      createOrder: name("CreateOrderLambdaFunction"),
      getInvoice: name("GetInvoiceLambdaFunction"),
      health: name("HealthLambdaFunction"),
    },
    apiId: API_ID,
    timeoutMs: Number(fn("GetOrderLambdaFunction").Timeout) * 1000,
  };
});

afterAll(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await cloudWatch?.close();
});

interface Scenario {
  /** The scenario's minutes, after the warm-up. */
  readonly minutes: readonly Minute[];
  /** Traffic and health of the warm-up minutes. */
  readonly warmup?: Minute;
}

const minutes = (count: number, minute: (index: number) => Minute): Minute[] =>
  Array.from({ length: count }, (_, index) => minute(index));
const steady = (calls: readonly Call[] = steadyTraffic(), health: HealthRun = "run"): Minute => ({
  calls,
  health,
});

async function replay(scenario: Scenario): Promise<AlarmTimeline> {
  const warmup = Array.from({ length: WARMUP }, () => scenario.warmup ?? steady());
  const store = await runScenario(setup, [...warmup, ...scenario.minutes], START, storeRef);
  const timeline = replayAlarms(template.Resources as Parameters<typeof replayAlarms>[0], store, {
    start: START,
    minutes: WARMUP + scenario.minutes.length,
    refs: { HttpApi: API_ID },
  });
  // From the scenario's first minute on
  return Object.fromEntries(
    Object.entries(timeline).map(([id, states]) => [id, states.slice(WARMUP)]),
  );
}

/**
 * The burn-rate alarms: their windows are an hour to three days long, so five minutes of
 * history say nothing about them. slo-scenarios.test.ts proves them over full windows; here they
 * are left out, except that a page pair in ALARM pages too.
 */
const SLO_IDS = new Set([
  ...pairIds(DEFAULT_OBJECTIVES).flatMap((p) => [p.long, p.short, p.composite]),
  TICKET_ALARM_ID,
]);
const PAGE_PAIRS = pairIds(DEFAULT_OBJECTIVES)
  .filter((p) => p.pair.severity === "page")
  .map((p) => p.composite);

/** The alarms that fired, each with its first minute in ALARM; the page alarm is checked on its own. */
function fired(timeline: AlarmTimeline): Record<string, number> {
  return Object.fromEntries(
    Object.entries(timeline).flatMap(([id, states]) => {
      const first = firstMinuteIn(states, "ALARM");
      return id === "PageAlarm" || SLO_IDS.has(id) || first === undefined ? [] : [[id, first]];
    }),
  );
}

function expectFired(timeline: AlarmTimeline, fires: Readonly<Record<string, number>>): void {
  const actual = fired(timeline);
  // Exactly the alarms named fire, none other...
  expect(Object.keys(actual).sort()).toEqual(Object.keys(fires).sort());
  // ...each by its minute...
  for (const [id, by] of Object.entries(fires)) expect(actual[id], id).toBeLessThanOrEqual(by);
  // ...every other one is OK at every minute, and one page goes out at the first of them.
  for (const [id, states] of Object.entries(timeline)) {
    if (id !== "PageAlarm" && !SLO_IDS.has(id) && fires[id] === undefined)
      expect(new Set(states), id).toEqual(new Set(["OK"]));
  }
  const page = firstMinuteIn(timeline.PageAlarm, "ALARM");
  const firsts = [
    ...Object.values(actual),
    ...PAGE_PAIRS.map((id) => firstMinuteIn(timeline[id], "ALARM") ?? Number.NaN),
  ].filter((minute) => !Number.isNaN(minute));
  expect(page).toBe(firsts.length === 0 ? undefined : Math.min(...firsts));
}

describe("the alarms, replayed through scenarios", { timeout: 120_000 }, () => {
  it("a healthy service at 20 requests a minute: every alarm stays OK", async () => {
    const timeline = await replay({ minutes: minutes(MINUTES, () => steady()) });
    expectFired(timeline, {});
    expect(Object.keys(timeline).length).toBeGreaterThanOrEqual(14);
  });

  it("5 % errors: the error-rate and API 5xx alarms by minute 2, health by minute 4", async () => {
    const failing = withOutcome(steadyTraffic(), "getInvoice", "error", 1);
    const timeline = await replay({ minutes: minutes(MINUTES, () => steady(failing)) });
    expectFired(timeline, { ErrorRateAlarm: 2, HttpApi5xxAlarm: 2, HealthAlarm: 4 });
  });

  it("a quiet service at 1 request a minute with one failure: nothing fires", async () => {
    const quiet = steady([{ fn: "getOrder", outcome: "ok" }]);
    const timeline = await replay({
      warmup: quiet,
      minutes: minutes(MINUTES, (i) =>
        i === 3 ? steady([{ fn: "getInvoice", outcome: "error" }]) : quiet,
      ),
    });
    expectFired(timeline, {});
  });

  it("a p99 of 1.5 s: the p99 alarm by minute 2, health by minute 4", async () => {
    const slow = withOutcome(steadyTraffic(), "getOrder", "slow", 1);
    const timeline = await replay({ minutes: minutes(MINUTES, () => steady(slow)) });
    expectFired(timeline, { LatencyP99Alarm: 2, HealthAlarm: 4 });
  });

  it("one timeout: the timeout and invocation-errors alarms at minute 2, health by minute 5", async () => {
    const timeout = withOutcome(steadyTraffic(), "getOrder", "timeout", 1);
    const timeline = await replay({
      minutes: minutes(MINUTES, (i) => steady(i === 2 ? timeout : steadyTraffic())),
    });
    expectFired(timeline, { TimeoutsAlarm: 2, GetOrderErrorsAlarm: 2, HealthAlarm: 5 });
  });

  it("health fail in 3 of 5 minutes: the health alarm by minute 4", async () => {
    const timeline = await replay({
      minutes: minutes(MINUTES, (i) =>
        steady(steadyTraffic(), i < 5 && i % 2 === 0 ? "dependencyDown" : "run"),
      ),
    });
    expectFired(timeline, { HealthAlarm: 4 });
  });

  it("the health function gone silent: the health alarm by minute 2", async () => {
    const timeline = await replay({
      minutes: minutes(MINUTES, () => steady(steadyTraffic(), "silent")),
    });
    expectFired(timeline, { HealthAlarm: 2 });
  });

  it("one function crashing at init: its invocation-errors alarm at once, the API 5xx by 2, health by 3; the wrapper's error rate sees nothing", async () => {
    const crashing = withOutcome(steadyTraffic(), "getOrder", "initCrash");
    const timeline = await replay({ minutes: minutes(MINUTES, () => steady(crashing)) });
    expectFired(timeline, { GetOrderErrorsAlarm: 0, HttpApi5xxAlarm: 2, HealthAlarm: 3 });
  });

  it("throttling: the function's throttles alarm and the API 5xx by minute 2", async () => {
    const throttled = withOutcome(steadyTraffic(), "getOrder", "throttled", 5);
    const timeline = await replay({
      minutes: minutes(MINUTES, () => steady(throttled)),
    });
    expectFired(timeline, { GetOrderThrottlesAlarm: 2, HttpApi5xxAlarm: 2 });
  });

  it("an out-of-memory kill: the function's invocation-errors alarm at minute 2, health by minute 5", async () => {
    const killed = withOutcome(steadyTraffic(), "getOrder", "oom", 1);
    const timeline = await replay({
      minutes: minutes(MINUTES, (i) => steady(i === 2 ? killed : steadyTraffic())),
    });
    expectFired(timeline, { GetOrderErrorsAlarm: 2, HealthAlarm: 5 });
  });
});
