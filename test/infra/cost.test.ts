/**
 * The monthly CloudWatch cost of a generated stack (infra/cost.ts): one stack's figure against a
 * calculation written out by hand, alarms any generator adds priced by their kind, the what-if
 * options, and the facts the estimate takes from the library (line size, health queries).
 */
import { describe, expect, it, vi } from "vitest";
import { withVitals } from "../../functions/vitals";
import { cloudWatchChecks } from "../../functions/vitals/health/cloudwatch-check";
import { runtimeChecks } from "../../functions/vitals/health/runtime-check";
import { healthSettings } from "../../functions/vitals/health/settings";
import { siblingChecks } from "../../functions/vitals/health/siblings-check";
import { invokeMeasured } from "../../functions/vitals/testing";
import type { CfnResource } from "../../infra/cfn";
import { estimateCost, HEALTH_RUN, LINE_BYTES } from "../../infra/cost";
import { costSettings } from "../../infra/cost-settings";
import { costLine, formatCost } from "../../infra/cost-text";
import { PRICES, tiered } from "../../infra/prices";
import { readServiceConfig } from "../../infra/service";
import { buildStack } from "../../infra/stack";
import { httpApiEvent } from "../fixtures/events";
import { serviceConfig } from "../fixtures/service-config";

/** Three HTTP functions and the health function (an HTTP route and a 1-minute schedule). */
function shop(provider: Record<string, unknown> = { logRetentionInDays: 30 }) {
  const config = { ...serviceConfig(), provider };
  const stack = readServiceConfig(config);
  return { config, stack, resources: buildStack(stack).Resources, settings: costSettings(config) };
}

describe("estimateCost", () => {
  it("prices the shop stack as the calculation written out by hand", () => {
    // Prepare
    const { stack, resources, settings } = shop();

    // Act
    const estimate = estimateCost(resources, stack, settings);

    // Assess
    // Route rows: GET /getOrder, GET /createOrder, GET /getInvoice, GET /health, event:schedule.
    // 6 request metrics × (5 rows + the [Service] set) = 36; Health 1; HealthCheck 6 checks
    // (3 runtime, 2 service, 1 for the other functions); DroppedMetricData 1: 44 metrics.
    const metrics = 44 * 0.3;
    // 11 single-metric alarms + ErrorRateAlarm and HttpApi5xxAlarm reading 2 metrics each, and
    // 12 burn-rate windows reading 2 metrics each (2 objectives × 3 pairs × long and short).
    const alarms = (15 + 24) * 0.1;
    // PageAlarm, TicketAlarm and the 6 pairs
    const composite = 8 * 0.5;
    const dashboard = 3;
    // A health run asks for 3 service metrics + 2 per other function (3): 9. One run a minute
    // for 30 days is 43,200 runs; /health at 1 a minute (under its 10 s cache) as many again.
    const getMetricData = 2 * ((43_200 * 9) / 1000) * 0.01;
    // 1,000,000 requests + 43,200 scheduled runs + 43,200 /health calls, 560 + 330 bytes each.
    const gb = (1_086_400 * 890) / 1024 ** 3;
    const logs = gb * 0.5 + gb * (30 / 30) * 0.03;
    expect(estimate.customMetrics).toBe(44);
    expect(estimate.totalUsd).toBeCloseTo(
      metrics + alarms + composite + dashboard + getMetricData + logs,
      6,
    );
    expect(estimate.totalUsd).toBeCloseTo(32.3533, 3);
  });

  it("prices alarms another generator adds by their kind: high resolution, metric math, composite", () => {
    // Prepare
    const { stack, resources, settings } = shop();
    const before = estimateCost(resources, stack, settings);
    const added: Record<string, CfnResource> = {
      FastAlarm: { Type: "AWS::CloudWatch::Alarm", Properties: { Period: 10 } },
      BurnRateAlarm: {
        Type: "AWS::CloudWatch::Alarm",
        Properties: {
          Metrics: [
            { Id: "a", MetricStat: { Period: 300 } },
            { Id: "b", MetricStat: { Period: 300 } },
            { Id: "c", MetricStat: { Period: 3600 } },
            { Id: "rate", Expression: "a/b" },
          ],
        },
      },
      OwnCompositeAlarm: { Type: "AWS::CloudWatch::CompositeAlarm", Properties: {} },
    };

    // Act
    const after = estimateCost({ ...resources, ...added }, stack, settings);

    // Assess
    expect(after.totalUsd - before.totalUsd).toBeCloseTo(0.3 + 3 * 0.1 + 0.5, 9);
  });

  it("answers the what-if: more requests cost more logs, more /health calls stop at the cache", () => {
    // Prepare
    const { stack, resources, settings } = shop();
    const base = estimateCost(resources, stack, settings);
    const usd = (what: string, e: typeof base) => e.items.find((i) => i.what === what)?.usd;

    // Act
    const busy = estimateCost(resources, stack, settings, {
      requestsPerMonth: 100_000_000,
      healthRequestsPerMinute: 600,
    });

    // Assess
    expect(usd("log ingestion", busy)).toBeGreaterThan(
      100 * (usd("log ingestion", base) ?? 0) * 0.9,
    );
    // 600 calls a minute, but a 10 s cache: 6 runs a minute, 6 times the 1-a-minute figure.
    expect(usd("GetMetricData, GET /health", busy)).toBeCloseTo(
      6 * (usd("GetMetricData, GET /health", base) ?? 0),
      9,
    );
    expect(usd("custom metrics", busy)).toBe(usd("custom metrics", base));
  });

  it("keeps logs forever without retention, and says so", () => {
    // Prepare
    const { stack, resources, settings } = shop({});

    // Act
    const storage = estimateCost(resources, stack, settings).items.find(
      (i) => i.what === "log storage",
    );

    // Assess
    expect(storage?.note).toContain("grows every month");
  });

  it("prints one line with the total and a breakdown with every item", () => {
    // Prepare
    const { stack, resources, settings } = shop();
    const estimate = estimateCost(resources, stack, settings);

    // Act
    const line = costLine(estimate);
    const text = formatCost(estimate);

    // Assess
    expect(line).toContain("$32.35 a month for 1,000,000 requests");
    expect(line).toContain("44 custom metrics, 39 alarm metrics, 8 composite, 1 dashboard");
    expect(line.split("\n")).toHaveLength(1);
    for (const item of estimate.items) expect(text).toContain(item.what);
    expect(text).toContain("Latency by Route: 5");
    expect(text).toContain(`read ${PRICES.readOn}`);
  });
});

describe("tiered prices", () => {
  it("prices each unit at the tier it falls in", () => {
    expect(tiered(10_000, PRICES.customMetric)).toBeCloseTo(3000, 9);
    expect(tiered(10_001, PRICES.customMetric)).toBeCloseTo(3000.1, 9);
    expect(tiered(1_000_001, PRICES.customMetric)).toBeCloseTo(3000 + 24_000 + 37_500 + 0.02, 6);
    expect(tiered(0, PRICES.customMetric)).toBe(0);
    expect(tiered(20_480, PRICES.lambdaLogIngestionPerGb)).toBeCloseTo(5120 + 2560, 6);
  });
});

describe("what the estimate takes from the library", () => {
  it("prices a line of about the size withVitals writes for an HTTP API request", async () => {
    // Prepare
    const handler = withVitals(async () => ({ statusCode: 200, body: "{}" }), {
      namespace: "LambdaVitals/prod",
      service: "lambda-vitals",
    });

    // Lambda sets the trace header's id for every invocation that API Gateway traced
    vi.stubEnv(
      "_X_AMZN_TRACE_ID",
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    );

    // Act: a warm invocation, whichever test of the worker ran first (a cold start adds a member)
    await invokeMeasured(handler, httpApiEvent());
    const { lines } = await invokeMeasured(handler, httpApiEvent());
    vi.unstubAllEnvs();

    // Assess: about 560 bytes
    expect(lines[0]).not.toHaveProperty("ColdStart");
    expect(lines[0]).toHaveProperty("traceId");
    const bytes = Buffer.byteLength(`${JSON.stringify(lines[0])}\n`);
    expect(Math.abs(LINE_BYTES - bytes) / bytes).toBeLessThan(0.1);
  });

  it("counts the health checks' series as the health function runs them", () => {
    // Prepare
    const settings = healthSettings({ VITALS_SERVICE: "shop", VITALS_NAMESPACE: "Shop/prod" });

    // Assess
    expect(runtimeChecks()).toHaveLength(HEALTH_RUN.runtimeChecks);
    expect(cloudWatchChecks(settings, {})).toHaveLength(HEALTH_RUN.serviceChecks);
    expect(
      siblingChecks(settings, { HEALTH_SIBLING_FUNCTIONS: "shop-prod-a,shop-prod-b" }),
    ).toHaveLength(1);
  });
});

describe("costSettings, bad input", () => {
  it("refuses a health schedule it cannot count", () => {
    const config = serviceConfig({
      functions: {},
    });
    const health = (config.functions as Record<string, { events: unknown[] }>).health;
    if (health !== undefined) health.events = [{ schedule: "cron(0 12 * * ? *)" }];
    expect(() => costSettings(config)).toThrow(
      /functions\.health\.events\[0\]\.schedule: "cron\(0 12 \* \* \? \*\)" is not a rate/,
    );
  });

  it("refuses a budget that is not a whole number", () => {
    const config = { ...serviceConfig(), vitals: { cost: { metricBudget: "lots" } } };
    expect(() => costSettings(config)).toThrow(
      'custom.vitals.cost.metricBudget must be a whole number of custom metrics, not "lots"',
    );
  });

  it("reads rates in hours and the object form of a schedule", () => {
    const config = serviceConfig();
    const health = (config.functions as Record<string, { events: unknown[] }>).health;
    if (health !== undefined) health.events = [{ schedule: { rate: ["rate(2 hours)"] } }];
    expect(costSettings(config).healthRunsPerMonth).toBe(360);
  });
});
