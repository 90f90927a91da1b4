/**
 * What every wrapper test file shares: stdout captured around each test (and the environment,
 * timers and runtime store put back after it), a plain handler, options, and readers of the
 * parsed lines.
 */
import { expect, vi } from "vitest";
import { type Captured, capturedEachTest as capturedStdoutEachTest } from "../fixtures/stdout";

/**
 * Captures stdout around each test of the calling file, and puts the environment, timers and
 * runtime store back after it; read the lines through the returned object while a test runs.
 */
export function capturedEachTest(): Captured {
  return capturedStdoutEachTest(() => {
    // Spies first: one on a faked timer function would otherwise restore the fake later.
    vi.restoreAllMocks();
    vi.useRealTimers();
    vi.unstubAllEnvs();
    delete (globalThis as { awslambda?: unknown }).awslambda;
  });
}

export const ok = async () => ({ statusCode: 200, body: "ok" });
export const options = { namespace: "Test", service: "orders" };

/** The one document written; fails the test when there is not exactly one. */
export function only(docs: Record<string, unknown>[]): Record<string, unknown> {
  expect(docs).toHaveLength(1);
  return docs[0] as Record<string, unknown>;
}

export function metricNames(doc: Record<string, unknown>): string[] {
  const aws = doc._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
  return aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => m.Name));
}

/**
 * Counts, from now on, the timers still pending that keep the process alive (`hasRef()`). Call it
 * after `vi.useFakeTimers`; `capturedEachTest` takes the spies off before the real timers return.
 */
export function timersHoldingTheProcess(): () => number {
  const set = vi.spyOn(globalThis, "setTimeout");
  const clear = vi.spyOn(globalThis, "clearTimeout");
  return () =>
    set.mock.results
      .map((result) => result.value as ReturnType<typeof setTimeout>)
      .filter((timer) => !clear.mock.calls.some(([cleared]) => cleared === timer))
      .filter((timer) => timer.hasRef()).length;
}
