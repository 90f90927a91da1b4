import { describe, expect, it, vi } from "vitest";
import { withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { httpApiEvent } from "../fixtures/events";
import { capturedEachTest, ok, only, options } from "./harness";

const out = capturedEachTest();

describe("cold starts and ids", () => {
  it("prefers the runtime's per-invocation store for request and trace ids", async () => {
    (globalThis as { awslambda?: unknown }).awslambda = {
      InvokeStore: {
        getRequestId: () => "from-store",
        getXRayTraceId: () => "Root=1-aaaaaaaa-bbbbbbbbbbbbbbbbbbbbbbbb;Sampled=1",
      },
    };
    vi.stubEnv("_X_AMZN_TRACE_ID", "Root=1-00000000-000000000000000000000000");
    await withVitals(ok, options)(httpApiEvent(), lambdaContext({ requestId: "from-context" }));
    expect(only(out.documents())).toMatchObject({
      requestId: "from-store",
      traceId: "1-aaaaaaaa-bbbbbbbbbbbbbbbbbbbbbbbb",
    });
  });

  it("falls back to the context when the store answers outside an invocation's scope", async () => {
    // The store that the AWS SDK installs answers "-" when no invocation scope is active
    (globalThis as { awslambda?: unknown }).awslambda = {
      InvokeStore: { getRequestId: () => "-", getXRayTraceId: () => undefined },
    };
    await withVitals(ok, options)(httpApiEvent(), lambdaContext({ requestId: "from-context" }));
    expect(only(out.documents()).requestId).toBe("from-context");
  });

  it("ignores the shared trace variable when invocations run concurrently", async () => {
    vi.stubEnv("AWS_LAMBDA_MAX_CONCURRENCY", "16");
    vi.stubEnv("_X_AMZN_TRACE_ID", "Root=1-00000000-000000000000000000000000");
    await withVitals(ok, options)(httpApiEvent(), lambdaContext());
    expect(only(out.documents()).traceId).toBeUndefined();
  });
});

describe("trace ids", () => {
  it.each([
    [
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
      "1-5759e988-bd862e3fe1be46a994272793",
    ],
    ["Sampled=1;Root=1-abc;Parent=2", "1-abc"],
    ["Root=1-only", "1-only"],
    ["Parent=53995c3f42cd8ad8;Sampled=1", "Parent=53995c3f42cd8ad8;Sampled=1"],
  ])("reads the root of %s", async (header, root) => {
    vi.stubEnv("_X_AMZN_TRACE_ID", header);
    await withVitals(ok, options)(httpApiEvent(), lambdaContext());
    expect(only(out.documents()).traceId).toBe(root);
  });
});
