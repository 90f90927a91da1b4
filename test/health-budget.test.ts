/**
 * `service:errorBudget`: `/health` warns while a burn-rate pair that pages is in ALARM. Run with
 * the real SDK client against a CloudWatch on 127.0.0.1 that answers `DescribeAlarms` as the
 * local one does (local/cloudwatch-api.ts), and with the settings the plugin gives the function.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type CheckResult, type HealthCheck, runChecks } from "../functions/vitals/health/checks";
import { cloudWatchChecks } from "../functions/vitals/health/cloudwatch-check";
import { healthSettings } from "../functions/vitals/health/settings";
import { planStack } from "../infra/plan";
import { createMetricStore } from "../local";
import { answerCloudWatch, type LocalAlarm } from "../local/cloudwatch-api";
import { pointSdkAt } from "./fixtures/cloudwatch-server";
import { serviceConfig } from "./fixtures/service-config";

const FAST = "shop-prod-slo-availability-fast-burn";
const SLOW = "shop-prod-slo-latency-slow-burn";

let server: Server;
let alarms: LocalAlarm[] = [];
let failing = false;
let hanging = false;
/** This test's hanging requests that were closed: one of an earlier test may close late. */
let closed = { abandoned: 0 };
let targets: string[] = [];
let bodies: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    const target = String(req.headers["x-amz-target"] ?? "");
    targets.push(target);
    bodies.push(body);
    if (hanging) {
      const tally = closed;
      res.on("close", () => {
        tally.abandoned += 1;
      });
      return;
    }
    const answer = failing
      ? { status: 400, body: { __type: "Throttling", message: "Rate exceeded" } }
      : answerCloudWatch(createMetricStore(), target, body, () => alarms);
    res.writeHead(answer.status, { "content-type": "application/x-amz-json-1.0" });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  pointSdkAt(`http://127.0.0.1:${port}`);
  vi.stubEnv("IS_OFFLINE", "");
});

afterAll(async () => {
  vi.unstubAllEnvs();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  failing = false;
  hanging = false;
  closed = { abandoned: 0 };
  targets = [];
  bodies = [];
  alarms = [
    { name: FAST, type: "CompositeAlarm", state: "OK", reason: "" },
    { name: SLOW, type: "CompositeAlarm", state: "OK", reason: "" },
    { name: "shop-prod-error-rate", type: "MetricAlarm", state: "ALARM", reason: "" },
  ];
});

const base = { VITALS_NAMESPACE: "Shop/prod", VITALS_SERVICE: "shop" };

function budgetCheck(names = `${FAST},${SLOW}`): HealthCheck {
  const checks = cloudWatchChecks(healthSettings({ ...base, HEALTH_BUDGET_ALARMS: names }));
  const check = checks.find((c) => c.name === "service:errorBudget");
  if (check === undefined) throw new Error("no service:errorBudget check");
  return check;
}

async function budget(names = `${FAST},${SLOW}`, timeoutMs = 10_000): Promise<CheckResult> {
  const report = await runChecks([budgetCheck(names)], {
    budgetMs: timeoutMs,
    defaultTimeoutMs: timeoutMs,
  });
  return report.results[0] as CheckResult;
}

describe("service:errorBudget", { timeout: 20_000 }, () => {
  it("passes while no page pair is in ALARM, asking for those composite alarms by name", async () => {
    const result = await budget();

    expect(result).toMatchObject({ status: "pass", observedValue: 0 });
    expect(targets).toEqual(["GraniteServiceVersion20100801.DescribeAlarms"]);
    expect(bodies[0]).toMatchObject({ AlarmNames: [FAST, SLOW], AlarmTypes: ["CompositeAlarm"] });
  });

  it("warns while one burns, naming it; a fixed-threshold alarm in ALARM is not its business", async () => {
    alarms[1] = { name: SLOW, type: "CompositeAlarm", state: "ALARM", reason: "" };

    const result = await budget();

    expect(result.status).toBe("warn");
    expect(result.observedValue).toBe(1);
    expect(result.output).toBe(`the error budget is burning fast enough to page: ${SLOW}`);
  });

  it("warns when an alarm it was given does not exist, and when CloudWatch refuses", async () => {
    const missing = await budget(`${FAST},shop-prod-slo-nothing`);
    expect(missing.status).toBe("warn");
    expect(missing.output).toContain("shop-prod-slo-nothing");

    failing = true;
    const refused = await budget();
    expect(refused).toMatchObject({ status: "warn", observedValue: null });
    expect(refused.output).toBe("CloudWatch DescribeAlarms failed: HTTP 400 Throttling");
  });

  it("is not a check at all without HEALTH_BUDGET_ALARMS, and refuses a list DescribeAlarms cannot take", () => {
    expect(cloudWatchChecks(healthSettings(base)).map((c) => c.name)).toEqual([
      "service:errorRate",
      "service:latencyP99",
    ]);
    // settings of a caller's own, without budgetAlarms at all: no budget check either
    const { budgetAlarms: _none, ...own } = healthSettings(base);
    expect(cloudWatchChecks(own).map((c) => c.name)).toEqual([
      "service:errorRate",
      "service:latencyP99",
    ]);
    const names = (count: number) => Array.from({ length: count }, (_, i) => `a${i}`).join(",");
    expect(() => healthSettings({ ...base, HEALTH_BUDGET_ALARMS: names(101) })).toThrow(
      /HEALTH_BUDGET_ALARMS must list at most 100 alarm names/,
    );
    expect(healthSettings({ ...base, HEALTH_BUDGET_ALARMS: names(100) }).budgetAlarms).toHaveLength(
      100,
    );
    // at most 255 characters a name, as DescribeAlarms takes them
    expect(healthSettings({ ...base, HEALTH_BUDGET_ALARMS: "a".repeat(255) }).budgetAlarms).toEqual(
      ["a".repeat(255)],
    );
    expect(() => healthSettings({ ...base, HEALTH_BUDGET_ALARMS: "a".repeat(256) })).toThrow(
      /of at most 255 characters each/,
    );
    // spaces around a name and empty entries are not names
    expect(
      healthSettings({ ...base, HEALTH_BUDGET_ALARMS: ` ${FAST} ,, ${SLOW},` }).budgetAlarms,
    ).toEqual([FAST, SLOW]);
  });

  it("gets the page pairs' names and the DescribeAlarms grant from the plugin, only with objectives", () => {
    const plan = planStack(serviceConfig());
    expect(plan.functions.health?.environment.HEALTH_BUDGET_ALARMS).toBe(
      [
        "shop-prod-slo-availability-fast-burn",
        "shop-prod-slo-availability-slow-burn",
        "shop-prod-slo-latency-fast-burn",
        "shop-prod-slo-latency-slow-burn",
      ].join(","),
    );
    // the names are the composites' own
    const names = Object.values(plan.resources.Resources).map((r) => r.Properties.AlarmName);
    for (const name of String(plan.functions.health?.environment.HEALTH_BUDGET_ALARMS).split(","))
      expect(names).toContain(name);
    const policy = JSON.stringify(plan.resources.Resources.HealthRole?.Properties.Policies);
    expect(policy).toContain('"Action":["cloudwatch:DescribeAlarms"],"Resource":"*"');
    expect(JSON.stringify(plan.resources.Resources.GetOrderRole?.Properties)).not.toContain(
      "DescribeAlarms",
    );
    const config = serviceConfig();
    const off = planStack({
      ...config,
      vitals: { ...(config.vitals as object), objectives: false },
    });
    expect(off.functions.health?.environment.HEALTH_BUDGET_ALARMS).toBeUndefined();
    expect(JSON.stringify(off.resources.Resources.HealthRole)).not.toContain("DescribeAlarms");
  });

  describe("its observations, read through run", () => {
    it("says which alarms burn, with its unit, every name in the order it was given", async () => {
      // Prepare
      alarms[0] = { name: FAST, type: "CompositeAlarm", state: "ALARM", reason: "" };
      alarms[1] = { name: SLOW, type: "CompositeAlarm", state: "ALARM", reason: "" };

      // Act
      const observation = await budgetCheck().run(new AbortController().signal);

      // Assess
      expect(observation).toStrictEqual({
        status: "warn",
        observedValue: 2,
        observedUnit: "alarms",
        output: `the error budget is burning fast enough to page: ${FAST}, ${SLOW}`,
      });
    });

    it("names every alarm it did not find", async () => {
      const observation = await budgetCheck(`shop-prod-slo-a,${FAST},shop-prod-slo-b`).run(
        new AbortController().signal,
      );

      expect(observation).toStrictEqual({
        status: "warn",
        observedValue: null,
        output: "no such alarm (not deployed yet?): shop-prod-slo-a, shop-prod-slo-b",
      });
    });

    it("passes with none in ALARM, counting zero alarms", async () => {
      const observation = await budgetCheck().run(new AbortController().signal);

      expect(observation).toStrictEqual({
        status: "pass",
        observedValue: 0,
        observedUnit: "alarms",
        output: "no burn-rate page in ALARM",
      });
    });

    it("rejects with an AbortError and closes the hanging request when its signal aborts", {
      timeout: 5000,
    }, async () => {
      // Prepare
      hanging = true;
      const controller = new AbortController();
      const running = budgetCheck().run(controller.signal);
      await vi.waitFor(() => expect(targets).toHaveLength(1), { timeout: 5000 });

      // Act
      controller.abort(new Error("aborted by the test"));

      // Assess: not a warning of its own (the runner reports the timeout), and the request is
      // closed: by the time CloudWatch answered the next request, it had seen that connection close
      await expect(running).rejects.toMatchObject({ name: "AbortError" });
      hanging = false;
      await budgetCheck().run(new AbortController().signal);
      expect(targets).toHaveLength(2);
      expect(closed.abandoned).toBe(1);
    });
  });

  it("warns, not fails, when it runs out of time", async () => {
    // Prepare
    hanging = true;

    // Act
    const result = await budget(`${FAST},${SLOW}`, 300);

    // Assess
    expect(budgetCheck().onFailure).toBe("warn");
    expect(result).toMatchObject({ status: "warn", output: "timed out after 300 ms" });
  });
});
