/**
 * How checks run and add up: the worst status wins, a check's own status counts as given, a
 * failure to check counts as its `onFailure`, and nothing outlives its timeout or the budget.
 */
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import {
  type CheckResult,
  type HealthCheck,
  type HealthStatus,
  type Observation,
  runChecks,
  worstStatus,
} from "../functions/vitals/health/checks";
import { settledJustBefore, tracked } from "./fixtures/fake-clock";

const LIMITS = { budgetMs: 5000, defaultTimeoutMs: 5000 };

function returning(name: string, status: HealthStatus, onFailure: "warn" | "fail" = "fail") {
  return { name, onFailure, run: async () => ({ status }) } satisfies HealthCheck;
}

function throwing(name: string, onFailure: "warn" | "fail", error: unknown = new Error("boom")) {
  return {
    name,
    onFailure,
    run: async () => {
      throw error;
    },
  } satisfies HealthCheck;
}

function hanging(name: string, onFailure: "warn" | "fail", timeoutMs?: number) {
  const seen: { signal?: AbortSignal } = {};
  const check: HealthCheck = {
    name,
    onFailure,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    run: (signal) => {
      seen.signal = signal;
      return new Promise(() => {});
    },
  };
  return { check, seen };
}

describe("worstStatus", () => {
  it.each([
    { statuses: [], worst: "pass" },
    { statuses: ["pass", "pass"], worst: "pass" },
    { statuses: ["pass", "warn", "pass"], worst: "warn" },
    { statuses: ["warn", "fail", "pass"], worst: "fail" },
    { statuses: ["fail", "warn"], worst: "fail" },
  ] as const)("of $statuses is $worst", ({ statuses, worst }) => {
    expect(worstStatus(statuses)).toBe(worst);
  });
});

describe("aggregation", () => {
  it("is the worst status of all checks", async () => {
    // Prepare
    const checks = [returning("a:x", "pass"), returning("b:x", "warn"), returning("c:x", "pass")];

    // Act
    const report = await runChecks(checks, LIMITS);

    // Assess
    expect(report.status).toBe("warn");
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ["a:x", "pass"],
      ["b:x", "warn"],
      ["c:x", "pass"],
    ]);
  });

  it("fails when one check reports fail", async () => {
    // Act
    const report = await runChecks([returning("a:x", "pass"), returning("b:x", "fail")], LIMITS);

    // Assess
    expect(report.status).toBe("fail");
  });

  it("passes with no checks at all", async () => {
    expect((await runChecks([], LIMITS)).status).toBe("pass");
  });

  it("treats a check without a status as passing", async () => {
    // Prepare
    const check: HealthCheck = {
      name: "queue:depth",
      onFailure: "fail",
      run: () => ({ observedValue: 3, observedUnit: "messages" }),
    };

    // Act
    const report = await runChecks([check], LIMITS);

    // Assess
    expect(report.results[0]).toMatchObject({ status: "pass", observedValue: 3 });
  });
});

describe("a check that cannot tell", () => {
  it.each([
    ["warn", "warn"],
    ["fail", "fail"],
  ] as const)("throwing with onFailure %s makes the service %s", async (onFailure, overall) => {
    // Act
    const report = await runChecks(
      [returning("a:x", "pass"), throwing("db:ping", onFailure)],
      LIMITS,
    );

    // Assess
    expect(report.status).toBe(overall);
    expect(report.results[1]).toMatchObject({ status: onFailure, output: "failed (Error)" });
  });

  it("throwing synchronously counts the same as rejecting", async () => {
    // Prepare
    const check: HealthCheck = {
      name: "sync:throw",
      onFailure: "warn",
      run: () => {
        throw new TypeError("not a promise");
      },
    };

    // Act
    const report = await runChecks([check], LIMITS);

    // Assess
    expect(report.results[0]).toMatchObject({ status: "warn", output: "failed (TypeError)" });
  });

  it("never shows the error's message to the caller, only keeps it for the log", async () => {
    // Prepare
    const error = new Error("password authentication failed for postgres://admin:hunter2@db");

    // Act
    const report = await runChecks([throwing("db:ping", "fail", error)], LIMITS);

    // Assess
    const [result] = report.results;
    expect(result?.output).toBe("failed (Error)");
    expect(result?.detail).toContain("hunter2"); // the log line may say why
  });

  it("names a thrown non-error generically", async () => {
    // Act
    const report = await runChecks([throwing("odd:throw", "fail", "a string")], LIMITS);

    // Assess
    expect(report.results[0]).toMatchObject({ status: "fail", output: "failed (Error)" });
  });
});

describe("timeouts", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives a hanging check its onFailure status once its own timeout passes", async () => {
    // Prepare
    const { check, seen } = hanging("downstream:responseTime", "fail", 200);

    // Act
    const run = tracked(runChecks([check, returning("a:x", "pass")], LIMITS));
    const before = await settledJustBefore(run, 200);

    // Assess: not a moment before its timeout, and at once when it passes
    expect(before).toBe(false);
    expect(run.settled()).toBe(true);
    const report = await run.value;
    expect(report.status).toBe("fail");
    expect(report.results[0]).toMatchObject({
      status: "fail",
      output: "timed out after 200 ms",
      durationMs: 200,
    });
    expect(seen.signal?.aborted).toBe(true);
  });

  it("uses the default timeout for a check that sets none", async () => {
    // Prepare
    const { check } = hanging("cache:ping", "warn");

    // Act
    const run = tracked(runChecks([check], { budgetMs: 5000, defaultTimeoutMs: 150 }));
    const before = await settledJustBefore(run, 150);

    // Assess
    expect(before).toBe(false);
    expect(run.settled()).toBe(true);
    expect((await run.value).results[0]).toMatchObject({
      status: "warn",
      output: "timed out after 150 ms",
      durationMs: 150,
    });
  });

  it("cuts every check short at the budget, whatever its own timeout", async () => {
    // Prepare
    const { check: slow } = hanging("slow:a", "warn", 60_000);
    const { check: slower } = hanging("slow:b", "fail", 120_000);

    // Act
    const run = tracked(runChecks([slow, slower], { budgetMs: 300, defaultTimeoutMs: 60_000 }));
    const before = await settledJustBefore(run, 300);

    // Assess
    expect(before).toBe(false);
    expect(run.settled()).toBe(true);
    const report = await run.value;
    expect(report.status).toBe("fail");
    expect(report.results.map((r) => r.output)).toEqual([
      "timed out after 300 ms",
      "timed out after 300 ms",
    ]);
    expect(report.results.map((r) => r.durationMs)).toEqual([300, 300]);
  });

  it("runs checks in parallel, not one after another", async () => {
    // Prepare: three checks of 300 ms each, which note when they start and end
    const spans: { start: number; end?: number }[] = [];
    const sleeper = (name: string): HealthCheck => ({
      name,
      onFailure: "fail",
      run: () => {
        const span: { start: number; end?: number } = { start: performance.now() };
        spans.push(span);
        return new Promise((resolve) =>
          setTimeout(() => {
            span.end = performance.now();
            resolve({ observedValue: 1 });
          }, 300),
        );
      },
    });

    // Act
    const run = tracked(runChecks([sleeper("a:x"), sleeper("b:x"), sleeper("c:x")], LIMITS));
    await vi.advanceTimersByTimeAsync(300);

    // Assess: all three started before the first ended, so they overlapped
    expect(run.settled()).toBe(true);
    expect((await run.value).status).toBe("pass");
    expect(spans).toHaveLength(3);
    const firstEnd = Math.min(...spans.map((span) => span.end ?? Number.POSITIVE_INFINITY));
    for (const span of spans) expect(span.start).toBeLessThan(firstEnd);
  });
});

describe("what a check reports", () => {
  it("keeps the IETF fields and a timestamp, and drops the rest", async () => {
    // Prepare: a fixed date, so the timestamp is known
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2026-11-25T08:30:00.000Z") });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const check: HealthCheck = {
      name: "db:responseTime",
      onFailure: "fail",
      run: async () =>
        ({
          status: "warn",
          observedValue: 250,
          observedUnit: "ms",
          output: "slow",
          password: "secret",
        }) as never,
    };

    // Act
    const [result] = (await runChecks([check], LIMITS)).results;

    // Assess
    expect(result).toMatchObject({
      name: "db:responseTime",
      status: "warn",
      observedValue: 250,
      observedUnit: "ms",
      output: "slow",
    });
    expect(result).not.toHaveProperty("password");
    expect(result?.time).toBe("2026-11-25T08:30:00.000Z");
  });

  it("replaces an unknown status with pass, and a NaN value with nothing", async () => {
    // Prepare
    const check: HealthCheck = {
      name: "odd:values",
      onFailure: "fail",
      run: async () => ({ status: "ok" as never, observedValue: Number.NaN }),
    };

    // Act
    const [result] = (await runChecks([check], LIMITS)).results;

    // Assess
    expect(result?.status).toBe("pass");
    expect(result).not.toHaveProperty("observedValue");
  });

  it("clips a long output and strips control characters", async () => {
    // Prepare
    const check: HealthCheck = {
      name: "chatty:check",
      onFailure: "warn",
      run: async () => ({ status: "warn", output: `line one\nline two${"x".repeat(1000)}` }),
    };

    // Act
    const [result] = (await runChecks([check], LIMITS)).results;

    // Assess
    expect(result?.output?.length).toBeLessThanOrEqual(200);
    expect(result?.output).toMatch(/^line one line two/);
  });

  it("clips a long text observedValue the same way", async () => {
    // Prepare: a check that returns a whole dependency answer as its value
    const check: HealthCheck = {
      name: "dump:value",
      onFailure: "warn",
      run: async () => ({ observedValue: `token=abc\n${"y".repeat(5000)}` }),
    };

    // Act
    const [result] = (await runChecks([check], LIMITS)).results;

    // Assess
    expect(String(result?.observedValue).length).toBeLessThanOrEqual(200);
    expect(result?.observedValue).not.toContain("\n");
  });
});

// How a set of health checks runs, at its edges: the exact length an output keeps, which error
// names are safe to show, an error that cannot be printed, a timeout below zero, and the
// observations a check may return that the response leaves out.
describe("checks at their edges", () => {
  const LIMITS = { budgetMs: 2000, defaultTimeoutMs: 1000 };

  async function resultOf(run: HealthCheck["run"], onFailure: "warn" | "fail" = "warn") {
    const report = await runChecks([{ name: "edge:check", onFailure, run }], LIMITS);
    return report.results[0] as CheckResult;
  }

  function thrower(error: unknown): HealthCheck["run"] {
    return () => {
      throw error;
    };
  }

  describe("a check's output, at the length limit", () => {
    it("keeps 200 characters whole and cuts 201 to 199 and an ellipsis", async () => {
      const exact = await resultOf(() => ({ output: "o".repeat(200) }));
      const over = await resultOf(() => ({ output: "o".repeat(201) }));
      expect(exact.output).toBe("o".repeat(200));
      expect(over.output).toBe(`${"o".repeat(199)}…`);
    });

    it("turns each run of control characters into one space", async () => {
      const result = await resultOf(() => ({ observedUnit: "a\r\n\tb\u0000c" }));
      expect(result.observedUnit).toBe("a b c");
    });
  });

  describe("what a check returns that the response leaves out", () => {
    it("leaves out an empty output, an infinite value and a unit that is not text", async () => {
      const result = await resultOf(
        () =>
          ({
            output: "",
            observedValue: Number.POSITIVE_INFINITY,
            observedUnit: 5,
          }) as unknown as Observation,
      );
      expect(result).not.toHaveProperty("output");
      expect(result).not.toHaveProperty("observedValue");
      expect(result).not.toHaveProperty("observedUnit");
      expect(result.status).toBe("pass");
    });

    it("keeps null, false and 0 as observed values", async () => {
      expect((await resultOf(() => ({ observedValue: null }))).observedValue).toBeNull();
      expect((await resultOf(() => ({ observedValue: false }))).observedValue).toBe(false);
      expect((await resultOf(() => ({ observedValue: 0 }))).observedValue).toBe(0);
    });

    it("reads a check that returns nothing, or a non-object, as passing", async () => {
      expect((await resultOf(() => undefined as unknown as Observation)).status).toBe("pass");
      expect((await resultOf(() => "ok" as unknown as Observation)).status).toBe("pass");
    });

    it("keeps each of the three statuses a check returns", async () => {
      expect((await resultOf(() => ({ status: "pass" }), "fail")).status).toBe("pass");
      expect((await resultOf(() => ({ status: "warn" }))).status).toBe("warn");
      expect((await resultOf(() => ({ status: "fail" }))).status).toBe("fail");
    });
  });

  describe("a check that throws", () => {
    it("shows an error's name of up to 64 characters, and only a plain one", async () => {
      const named = (name: string) => Object.assign(new Error("secret"), { name });
      const longest = `E${"r".repeat(63)}`;
      expect((await resultOf(thrower(named(longest)))).output).toBe(`failed (${longest})`);
      expect((await resultOf(thrower(named(`${longest}r`)))).output).toBe("failed (Error)");
      expect((await resultOf(thrower(named("9Lives")))).output).toBe("failed (Error)");
      expect((await resultOf(thrower(named("Aws.Sdk_Error")))).output).toBe(
        "failed (Aws.Sdk_Error)",
      );
      expect((await resultOf(thrower(named("Bad Name")))).output).toBe("failed (Error)");
    });

    it("keeps the error's name and message for the log, and a thrown value as text", async () => {
      const typed = await resultOf(thrower(new TypeError("no socket")));
      expect(typed.detail).toBe("TypeError: no socket");
      expect((await resultOf(thrower(42))).detail).toBe("42");
    });

    it("keeps a fixed note for the log when the error cannot be printed", async () => {
      const unprintable = {
        toString() {
          throw new Error("no");
        },
      };
      const result = await resultOf(thrower(unprintable), "fail");
      expect(result).toMatchObject({
        status: "fail",
        output: "failed (Error)",
        detail: "unprintable error",
      });
    });
  });

  describe("a check's timeout", () => {
    it("takes a negative timeout as 0: the check times out at once", async () => {
      const report = await runChecks(
        [
          {
            name: "slow:check",
            onFailure: "fail",
            timeoutMs: -5,
            run: () => new Promise<Observation>((resolve) => setTimeout(resolve, 500, {})),
          },
        ],
        LIMITS,
      );
      expect(report.results[0]).toMatchObject({
        status: "fail",
        output: "timed out after 0 ms",
      });
    });

    it("does not start a check that has no time at all, so its first run cannot hold the loop", async () => {
      // Prepare: a check whose run would block the event loop, as a first SDK load can
      let runs = 0;
      const check = {
        name: "slow:load",
        onFailure: "warn" as const,
        run: async () => {
          runs += 1;
          const until = performance.now() + 200;
          while (performance.now() < until) {} // busy, as a module's evaluation is
          return {};
        },
      };

      // Act
      const report = await runChecks([check], { budgetMs: 0, defaultTimeoutMs: 2000 });

      // Assess
      expect(runs).toBe(0);
      expect(report.results[0]).toMatchObject({ status: "warn", output: "timed out after 0 ms" });
    });

    it("aborts the check's signal with a reason that names the check and the time", async () => {
      let reason: unknown;
      await runChecks(
        [
          {
            name: "hang:check",
            onFailure: "warn",
            timeoutMs: 20,
            run: (signal) =>
              new Promise<Observation>((resolve) => {
                signal.addEventListener("abort", () => {
                  reason = signal.reason;
                  resolve({});
                });
              }),
          },
        ],
        LIMITS,
      );
      expect(reason).toEqual(new Error("hang:check timed out after 20 ms"));
    });
  });

  describe("a check's bookkeeping", () => {
    it("leaves out an observed value that is an object or missing", async () => {
      const nested = await resultOf(
        () => ({ observedValue: { rows: 3 } }) as unknown as Observation,
      );
      const missing = await resultOf(() => ({}));
      expect(nested).not.toHaveProperty("observedValue");
      expect(missing).not.toHaveProperty("observedValue");
    });

    it("measures its duration from its start to its answer, in whole milliseconds", async () => {
      // Prepare: a fake clock far from 0, and a check that works 37.4 ms
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
      try {
        vi.advanceTimersByTime(5000);
        // Act
        const result = await resultOf(() => {
          vi.advanceTimersByTime(37.4);
          return {};
        });
        // Assess
        expect(result.durationMs).toBe(37);
        expect(result.time).toBe(new Date().toISOString());
      } finally {
        vi.useRealTimers();
      }
    });

    it("leaves no timer behind once a check has answered", async () => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      try {
        await resultOf(() => ({}));
        expect(vi.getTimerCount()).toBe(0);
      } finally {
        vi.useRealTimers();
      }
    });
  });
});
