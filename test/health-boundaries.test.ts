/**
 * The health function's edges that its other tests leave open: the cache's age arithmetic on a
 * clock that does not start at 0, the exact queries sent to CloudWatch (ids and ReturnData, which a
 * lenient server would not check), and the runtime checks wired to the real process.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  cloudWatchChecks,
  type HealthCheck,
  healthSettings,
  type Observation,
  runtimeChecks,
} from "../functions/vitals/health";
// The cache is reached through healthHandler only with the process clock (monotonicMs), which a
// test cannot start at an arbitrary time; cachedFor takes the clock as an argument.
import { cachedFor } from "../functions/vitals/health/cache";
// The exact threshold needs a chosen memory in use; runtimeChecks() reads the real process.
import { memoryObservation } from "../functions/vitals/health/runtime-check";
import { type FakeCloudWatch, startFakeCloudWatch } from "./fixtures/cloudwatch-server";

describe("the health cache, on a clock far from 0", () => {
  const START = 1_000_000;
  const TTL = 10_000;

  function counted() {
    let now = START;
    let calls = 0;
    const cached = cachedFor(
      TTL,
      async (arg: string) => {
        calls++;
        return `${arg}#${calls}`;
      },
      () => now,
    );
    return {
      cached,
      at: (ms: number) => {
        now = START + ms;
      },
      calls: () => calls,
    };
  }

  it("reuses a result for ttl milliseconds after it was produced, and no longer", async () => {
    // Prepare
    const memo = counted();
    // Act
    const first = await memo.cached("a");
    memo.at(TTL - 1);
    const reused = await memo.cached("b");
    memo.at(TTL);
    const renewed = await memo.cached("c");
    // Assess
    expect(first).toBe("a#1");
    expect(reused).toBe("a#1");
    expect(renewed).toBe("c#2");
    expect(memo.calls()).toBe(2);
  });

  it("counts the age from when the result arrived, not from when it was asked for", async () => {
    // Prepare: a producer that takes 5 s of the test clock
    let now = START;
    let calls = 0;
    const cached = cachedFor(
      TTL,
      async () => {
        calls++;
        now += 5_000;
        return calls;
      },
      () => now,
    );
    // Act
    await cached(undefined);
    now += TTL - 1; // 15 s after the call, but less than 10 s after the result
    const reused = await cached(undefined);
    // Assess
    expect(reused).toBe(1);
    expect(calls).toBe(1);
  });

  it("with a ttl of 0 keeps nothing", async () => {
    let calls = 0;
    const cached = cachedFor(
      0,
      async () => ++calls,
      () => START,
    );
    await cached(undefined);
    await cached(undefined);
    expect(calls).toBe(2);
  });
});

describe("the queries sent to CloudWatch", () => {
  let cloudWatch: FakeCloudWatch;

  beforeAll(async () => {
    cloudWatch = await startFakeCloudWatch();
    vi.stubEnv("AWS_ENDPOINT_URL_CLOUDWATCH", cloudWatch.url);
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIATESTONLYNOTREAL2");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test-only-secret/NotReal+abcdefghij0123456789");
    vi.stubEnv("AWS_SESSION_TOKEN", "");
    vi.stubEnv("AWS_MAX_ATTEMPTS", "1");
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    vi.stubEnv("IS_OFFLINE", "");
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await cloudWatch.close();
  });

  function run(check: HealthCheck): Promise<Observation> {
    return Promise.resolve(check.run(new AbortController().signal));
  }

  it("ask for each series by a valid id, with its data returned", async () => {
    // Prepare
    cloudWatch.values = { Requests: [200], Errors: [1], Latency: [80] };
    const settings = healthSettings({
      VITALS_NAMESPACE: "Shop",
      VITALS_SERVICE: "orders",
      HEALTH_WINDOW_MINUTES: "3",
    });
    const [errorRate, latency] = cloudWatchChecks(settings) as [HealthCheck, HealthCheck];
    // Act
    const rate = await run(errorRate);
    const p99 = await run(latency);
    // Assess
    const query = (id: string, metric: string, stat: string) => ({
      Id: id,
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: "Shop",
          MetricName: metric,
          Dimensions: [{ Name: "Service", Value: "orders" }],
        },
        Period: 180,
        Stat: stat,
      },
    });
    expect(cloudWatch.requests.map((r) => r.body.MetricDataQueries)).toStrictEqual([
      [query("requests", "Requests", "Sum"), query("errors", "Errors", "Sum")],
      [query("latencyP99", "Latency", "p99")],
    ]);
    expect(rate).toStrictEqual({ status: "pass", observedValue: 0.5, observedUnit: "percent" });
    expect(p99).toStrictEqual({ status: "pass", observedValue: 80, observedUnit: "ms" });
  });
});

describe("the runtime checks, on the real process", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function byName(name: string): HealthCheck {
    const check = runtimeChecks().find((c) => c.name === name);
    expect(check).toBeDefined();
    return check as HealthCheck;
  }

  async function observe(name: string): Promise<Observation> {
    return byName(name).run(new AbortController().signal);
  }

  it("read the memory in use against the configured size", async () => {
    // Prepare: a 1 MiB function is always over 90 % full
    vi.stubEnv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1");
    // Act
    const tight = await observe("runtime:memoryUtilization");
    // Assess
    const usedMib = process.memoryUsage.rss() / (1024 * 1024);
    expect(tight.status).toBe("warn");
    expect(tight.observedUnit).toBe("percent");
    expect(tight.observedValue as number).toBeGreaterThan(usedMib * 100 * 0.5);
    expect(tight.output).toMatch(/^\d+ of 1 MiB in use$/);
  });

  it("read the memory in use in MiB when the size is unknown", async () => {
    // Prepare
    vi.stubEnv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", undefined);
    // Act
    const observation = await observe("runtime:memoryUtilization");
    // Assess
    const usedMib = process.memoryUsage.rss() / (1024 * 1024);
    expect(observation.status).toBe("pass");
    expect(observation.observedUnit).toBe("MiB");
    expect(observation.observedValue as number).toBeGreaterThan(usedMib * 0.5);
    expect(observation.observedValue as number).toBeLessThan(usedMib * 2);
  });

  it("read the process's uptime in seconds, to a tenth", async () => {
    // Prepare: the process says it has run 1234.56 s
    const uptime = vi.spyOn(process, "uptime").mockReturnValue(1234.56);
    try {
      // Act
      const observation = await observe("runtime:uptime");
      // Assess
      expect(observation).toEqual({ observedValue: 1234.6, observedUnit: "s" });
      expect(uptime).toHaveBeenCalled();
    } finally {
      uptime.mockRestore();
    }
  });

  it("report a cold start on a fresh process's first run only, with warn when they cannot tell", async () => {
    // Prepare: a freshly loaded library, whose first-run flag is unspent
    vi.resetModules();
    const fresh = await import("../functions/vitals/health/index.ts");
    const checks = fresh.runtimeChecks();
    const coldStart = checks.find((c) => c.name === "runtime:coldStart") as HealthCheck;
    // Act
    const first = await coldStart.run(new AbortController().signal);
    const second = await fresh.runtimeChecks()[2]?.run(new AbortController().signal);
    // Assess
    expect(first).toStrictEqual({ observedValue: true });
    expect(second).toStrictEqual({ observedValue: false });
    expect(checks.map((c) => [c.name, c.onFailure])).toEqual([
      ["runtime:uptime", "warn"],
      ["runtime:memoryUtilization", "warn"],
      ["runtime:coldStart", "warn"],
    ]);
  });
});

describe("the health settings, at their edges", () => {
  it("read a blank variable as unset: the default, not 0", () => {
    const settings = healthSettings({ HEALTH_CACHE_MS: "   ", VITALS_VERSION: " " });
    expect(settings.cacheMs).toBe(10_000);
    expect(settings.version).toBe("1");
  });

  it("fall back from a blank release to the function's version", () => {
    const settings = healthSettings({ VITALS_RELEASE: "  ", AWS_LAMBDA_FUNCTION_VERSION: "7" });
    expect(settings.releaseId).toBe("7");
  });

  it("accept the top of a range and thresholds that are equal", () => {
    const settings = healthSettings({
      HEALTH_DEADLINE_MS: "60000",
      HEALTH_P99_WARN_MS: "2000",
      HEALTH_P99_FAIL_MS: "2000",
    });
    expect(settings.deadlineMs).toBe(60_000);
    expect(settings.p99Ms).toStrictEqual({ warn: 2000, fail: 2000 });
  });

  it("name the pair of thresholds that is out of order", () => {
    expect(() =>
      healthSettings({
        HEALTH_ERROR_RATE_WARN_PERCENT: "3",
        HEALTH_ERROR_RATE_FAIL_PERCENT: "2",
      }),
    ).toThrow(
      new TypeError(
        "lambda-vitals health: HEALTH_ERROR_RATE warn threshold (3) is above its fail threshold (2)",
      ),
    );
  });

  it("read a memory size of 0 as unknown: memory in MiB", async () => {
    vi.stubEnv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "0");
    const check = runtimeChecks().find((c) => c.name === "runtime:memoryUtilization");
    const observation = await check?.run(new AbortController().signal);
    vi.unstubAllEnvs();
    expect(observation).toMatchObject({ status: "pass", observedUnit: "MiB" });
  });
});

describe("the memory check, at its threshold", () => {
  const MIB = 1024 * 1024;

  it("warns at exactly 90 % of the configured memory in use, and passes just below", () => {
    // Prepare: 460.8 MiB is 90 % of 512 MiB
    const env = { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512" };

    // Act
    const atThreshold = memoryObservation(460.8 * MIB, env);
    const below = memoryObservation(460 * MIB, env);

    // Assess
    expect(atThreshold).toEqual({
      status: "warn",
      observedValue: 90,
      observedUnit: "percent",
      output: "461 of 512 MiB in use",
    });
    expect(below).toEqual({ status: "pass", observedValue: 89.8, observedUnit: "percent" });
  });
});
