/**
 * ColdStart: written once per process, on its first invocation, and only when a caller waited for
 * the initialisation. The flag is the library's one piece of module state, so every test here
 * loads a fresh copy of the library to start from a new "process".
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { lambdaContext } from "../fixtures/context";
import { type Doc, SERVICE_WIDE } from "../fixtures/documents";
import { httpApiEvent } from "../fixtures/events";
import { type Captured, captureStdout } from "../fixtures/stdout";

let out: Captured;
beforeEach(() => {
  out = captureStdout();
});
afterEach(() => {
  out.restore();
  vi.unstubAllEnvs();
});

/** A handler from a freshly loaded library: its first invocation is the process's first. */
async function freshHandler() {
  vi.resetModules();
  const { withVitals } = await import("../../functions/vitals/index.ts");
  return withVitals(async () => ({ statusCode: 200 }), { namespace: "Shop", service: "orders" });
}

function metricNames(doc: Doc): string[] {
  const aws = doc._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
  return aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => m.Name));
}

describe("the cold start", () => {
  it.each([
    ["unset (outside Lambda)", undefined],
    ["on-demand", "on-demand"],
  ])("is counted on the first invocation when the initialisation type is %s", async (_, type) => {
    // Prepare
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", type);
    const handler = await freshHandler();
    // Act
    await handler(httpApiEvent(), lambdaContext());
    // Assess
    const [doc] = out.documents() as [Doc];
    expect(doc.ColdStart).toBe(1);
    expect(metricNames(doc)).toEqual([
      "Requests",
      "Latency",
      "Errors",
      "ClientErrors",
      "ColdStart",
    ]);
    expect(
      (doc._aws as { CloudWatchMetrics: { Dimensions: unknown }[] }).CloudWatchMetrics[0]
        ?.Dimensions,
    ).toEqual(SERVICE_WIDE);
  });

  it.each(["provisioned-concurrency", "snap-start"])(
    "is not counted when the environment was initialised ahead of traffic (%s)",
    async (type) => {
      // Prepare
      vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", type);
      const handler = await freshHandler();
      // Act
      await handler(httpApiEvent(), lambdaContext());
      // Assess
      const [doc] = out.documents() as [Doc];
      expect(doc).not.toHaveProperty("ColdStart");
      expect(metricNames(doc)).not.toContain("ColdStart");
    },
  );

  it("is counted once: the second invocation of the process is warm", async () => {
    // Prepare
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    const handler = await freshHandler();
    // Act
    await handler(httpApiEvent(), lambdaContext());
    await handler(httpApiEvent(), lambdaContext());
    // Assess
    const docs = out.documents();
    expect(docs.map((d) => d.ColdStart)).toEqual([1, undefined]);
    expect(metricNames(docs[1] as Doc)).not.toContain("ColdStart");
  });

  it("is spent by a provisioned first invocation: a later one is not counted either", async () => {
    // Prepare
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency");
    const handler = await freshHandler();
    // Act
    await handler(httpApiEvent(), lambdaContext());
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    await handler(httpApiEvent(), lambdaContext());
    // Assess
    expect(out.documents().map((d) => d.ColdStart)).toEqual([undefined, undefined]);
  });
});
