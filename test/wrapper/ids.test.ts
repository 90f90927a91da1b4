import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import type { Doc } from "../fixtures/documents";
import { httpApiEvent } from "../fixtures/events";
import { type Captured, captureStdout } from "../fixtures/stdout";
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

// The request and trace ids on the line, at their edges: which source wins, what counts as no id,
// how the X-Ray header is read, and how long ids are clipped.
describe("request and trace ids at their edges", () => {
  let out: Captured;
  beforeEach(() => {
    out = captureStdout();
    vi.stubEnv("AWS_LAMBDA_MAX_CONCURRENCY", undefined);
  });
  afterEach(() => {
    out.restore();
    vi.unstubAllEnvs();
    delete (globalThis as { awslambda?: unknown }).awslambda;
  });

  async function lineFor(context: Context = lambdaContext()): Promise<Doc> {
    await withVitals(async () => ({ statusCode: 200 }), { service: "orders" })(
      httpApiEvent(),
      context,
    );
    return out.documents()[0] as Doc;
  }

  function runtimeStore(store: { getRequestId?: () => string; getXRayTraceId?: () => string }) {
    (globalThis as { awslambda?: unknown }).awslambda = { InvokeStore: store };
  }

  describe("the trace id", () => {
    it.each([
      ["Root=1-5759e988-bd862e3f;Parent=53995c3f;Sampled=1", "1-5759e988-bd862e3f"],
      ["Sampled=1;Root=1-5759e988-bd862e3f;Parent=53995c3f", "1-5759e988-bd862e3f"],
      ["Parent=53995c3f;Root=1-5759e988-bd862e3f", "1-5759e988-bd862e3f"],
      ["Root=1-5759e988-bd862e3f", "1-5759e988-bd862e3f"],
      ["1-5759e988-bd862e3f", "1-5759e988-bd862e3f"],
      ["XRoot=1-a;Parent=b", "XRoot=1-a;Parent=b"],
    ])("of the header %s is %s", async (header, traceId) => {
      vi.stubEnv("_X_AMZN_TRACE_ID", header);
      expect((await lineFor()).traceId).toBe(traceId);
    });

    it("keeps at most 64 characters of a root, and 128 of a header without one", async () => {
      vi.stubEnv("_X_AMZN_TRACE_ID", `Root=${"r".repeat(100)};Parent=p`);
      const rooted = await lineFor();
      out.restore();
      out = captureStdout();
      vi.stubEnv("_X_AMZN_TRACE_ID", "h".repeat(200));
      const bare = await lineFor();
      expect(rooted.traceId).toBe("r".repeat(64));
      expect(bare.traceId).toBe("h".repeat(128));
    });

    it.each(["", "-"])("is left out when the header is %j", async (header) => {
      vi.stubEnv("_X_AMZN_TRACE_ID", header);
      expect(await lineFor()).not.toHaveProperty("traceId");
    });

    it("comes from the runtime's store first", async () => {
      vi.stubEnv("_X_AMZN_TRACE_ID", "Root=1-from-env");
      runtimeStore({ getXRayTraceId: () => "Root=1-from-store;Sampled=1" });
      expect((await lineFor()).traceId).toBe("1-from-store");
    });
  });

  describe("the request id", () => {
    it("comes from the runtime's store first, and is clipped to 128 characters", async () => {
      runtimeStore({ getRequestId: () => "s".repeat(200) });
      expect((await lineFor(lambdaContext({ requestId: "from-context" }))).requestId).toBe(
        "s".repeat(128),
      );
    });

    it.each(["", "-"])("comes from the context when the store answers %j", async (answer) => {
      runtimeStore({ getRequestId: () => answer });
      expect((await lineFor(lambdaContext({ requestId: "from-context" }))).requestId).toBe(
        "from-context",
      );
    });

    it.each(["", "-"])("is left out when the context's id is %j", async (id) => {
      expect(await lineFor(lambdaContext({ requestId: id }))).not.toHaveProperty("requestId");
    });
  });
});
