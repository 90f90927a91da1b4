/**
 * How a set of health checks runs, at its edges: the exact length an output keeps, which error
 * names are safe to show, an error that cannot be printed, a timeout below zero, and the
 * observations a check may return that the response leaves out.
 */
import { describe, expect, it, vi } from "vitest";
import {
  type CheckResult,
  type HealthCheck,
  type Observation,
  runChecks,
} from "../../functions/vitals/health/checks";

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
    expect((await resultOf(thrower(named("Aws.Sdk_Error")))).output).toBe("failed (Aws.Sdk_Error)");
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
    const nested = await resultOf(() => ({ observedValue: { rows: 3 } }) as unknown as Observation);
    const missing = await resultOf(() => ({}));
    expect(nested).not.toHaveProperty("observedValue");
    expect(missing).not.toHaveProperty("observedValue");
  });

  it("measures its duration from its start to its answer, in whole milliseconds", async () => {
    // Prepare: a fake clock, and a check that works 37.4 ms
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
    try {
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
