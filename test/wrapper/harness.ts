/**
 * What every wrapper test file shares: stdout captured around each test (and the environment,
 * timers and runtime store put back after it), a plain handler, options, and readers of the
 * parsed lines.
 */
import { afterEach, beforeEach, expect, vi } from "vitest";
import { type Captured, captureStdout } from "../fixtures/stdout";

/**
 * Captures stdout around each test of the calling file; read the lines through the returned
 * object while a test runs.
 */
export function capturedEachTest(): Captured {
  let current: Captured | undefined;
  beforeEach(() => {
    current = captureStdout();
  });
  afterEach(() => {
    current?.restore();
    current = undefined;
    vi.useRealTimers();
    vi.unstubAllEnvs();
    delete (globalThis as { awslambda?: unknown }).awslambda;
  });
  const active = (): Captured => {
    if (current === undefined) throw new Error("stdout is captured only while a test runs");
    return current;
  };
  return {
    documents: () => active().documents(),
    lines: () => active().lines(),
    text: () => active().text(),
    restore: () => active().restore(),
  };
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
