/** The runtime checks: uptime, memory against the configured size, cold start. */
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { runChecks } from "../functions/vitals/health/checks";
import { memoryObservation, runtimeChecks } from "../functions/vitals/health/runtime-check";

const MIB = 1024 * 1024;

describe("memoryObservation", () => {
  it("is the share of the configured memory in use", () => {
    expect(memoryObservation(128 * MIB, { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512" })).toEqual({
      status: "pass",
      observedValue: 25,
      observedUnit: "percent",
    });
  });

  it("warns from 90 percent, saying how much is in use", () => {
    expect(memoryObservation(470 * MIB, { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512" })).toEqual({
      status: "warn",
      observedValue: 91.8,
      observedUnit: "percent",
      output: "470 of 512 MiB in use",
    });
  });

  it("is MiB in use when the configured size is unknown", () => {
    expect(memoryObservation(100.25 * MIB, {})).toEqual({
      status: "pass",
      observedValue: 100.3,
      observedUnit: "MiB",
    });
  });
});

describe("runtimeChecks", () => {
  it("reports uptime, memory and a cold start only on the first run", async () => {
    // Prepare
    vi.stubEnv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "102400");
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    // Act
    const first = await runChecks(runtimeChecks(), { budgetMs: 1000, defaultTimeoutMs: 1000 });
    const second = await runChecks(runtimeChecks(), { budgetMs: 1000, defaultTimeoutMs: 1000 });

    // Assess
    const byName = (report: typeof first) =>
      Object.fromEntries(report.results.map((r) => [r.name, r]));
    expect(byName(first)["runtime:coldStart"]?.observedValue).toBe(true);
    expect(byName(second)["runtime:coldStart"]?.observedValue).toBe(false);
    expect(byName(first)["runtime:uptime"]).toMatchObject({ status: "pass", observedUnit: "s" });
    expect(byName(first)["runtime:uptime"]?.observedValue).toBeGreaterThan(0);
    // 100 GB configured: far from the 90 % that warns
    expect(byName(first)["runtime:memoryUtilization"]).toMatchObject({
      status: "pass",
      observedUnit: "percent",
    });
  });
});
