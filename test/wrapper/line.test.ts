import { describe, expect, it, vi } from "vitest";
import { withVitals } from "../../functions/vitals";
import { METRICS } from "../../functions/vitals/contract";
import { lambdaContext } from "../fixtures/context";
import { emfProblems } from "../fixtures/emf-spec";
import { httpApiEvent } from "../fixtures/events";
import { capturedEachTest, metricNames, ok, only, options } from "./harness";

const out = capturedEachTest();

describe("the canonical line", () => {
  it("writes exactly one valid EMF line per invocation with the request metrics", async () => {
    // Prepare
    const handler = withVitals(ok, options);
    const context = lambdaContext({ requestId: "req-1" });
    // Act
    const result = await handler(httpApiEvent(), context);
    // Assess
    expect(result).toEqual({ statusCode: 200, body: "ok" });
    expect(out.lines()).toHaveLength(1);
    expect(emfProblems(out.lines()[0] ?? "")).toEqual([]);
    const doc = only(out.documents());
    expect(doc).toMatchObject({
      Service: "orders",
      Route: "GET /orders/{id}",
      Requests: 1,
      Errors: 0,
      ClientErrors: 0,
      requestId: "req-1",
      method: "GET",
      path: "/orders/1001",
      status: 200,
    });
    expect(doc.Latency).toBeTypeOf("number");
    const directive = (doc._aws as { CloudWatchMetrics: Record<string, unknown>[] })
      .CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe("Test");
    expect(directive?.Dimensions).toEqual([["Service", "Route"], ["Service"]]);
    expect(metricNames(doc)).toEqual(
      expect.arrayContaining([METRICS.requests.name, METRICS.latency.name, METRICS.errors.name]),
    );
  });

  it("measures the handler's latency exactly, in milliseconds rounded to two decimals", async () => {
    // Prepare: a fake clock, so the latency is known to the microsecond
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
    const waiting = withVitals(async () => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      return { statusCode: 200 };
    }, options);
    const busy = withVitals(async () => {
      vi.advanceTimersByTime(12.3456); // the handler works 12.3456 ms without waiting
      return { statusCode: 200 };
    }, options);
    // Act
    const pending = waiting(httpApiEvent(), lambdaContext());
    await vi.advanceTimersByTimeAsync(60);
    await pending;
    await busy(httpApiEvent(), lambdaContext());
    // Assess
    expect(out.documents().map((doc) => doc.Latency)).toEqual([60, 12.35]);
  });

  it("uses the route template as the Route dimension, never the raw path", async () => {
    const handler = withVitals(ok, options);
    await handler(httpApiEvent({ path: "/orders/8f1c2e", route: "/orders/{id}" }), lambdaContext());
    await handler(httpApiEvent({ path: "/orders/aa", route: "/orders/{id}" }), lambdaContext());
    const routes = out.documents().map((d) => d.Route);
    expect(routes).toEqual(["GET /orders/{id}", "GET /orders/{id}"]);
  });

  it("keeps a function out of the service-wide series with serviceWide: false", async () => {
    await withVitals(ok, { ...options, serviceWide: false })(httpApiEvent(), lambdaContext());
    const doc = only(out.documents());
    const aws = doc._aws as { CloudWatchMetrics: { Dimensions: unknown }[] };
    expect(aws.CloudWatchMetrics[0]?.Dimensions).toEqual([["Service", "Route"]]);
    expect(doc).toMatchObject({ Route: "GET /orders/{id}", Requests: 1, status: 200 });
  });

  it("takes namespace and service from the environment that serverless.yml sets", async () => {
    vi.stubEnv("VITALS_NAMESPACE", "Shop/prod");
    vi.stubEnv("VITALS_SERVICE", "shop");
    await withVitals(ok)(httpApiEvent(), lambdaContext());
    const doc = only(out.documents());
    expect(doc.Service).toBe("shop");
    const aws = doc._aws as { CloudWatchMetrics: { Namespace: string }[] };
    expect(aws.CloudWatchMetrics[0]?.Namespace).toBe("Shop/prod");
  });

  it("reads a blank variable as unset, as the health check does", async () => {
    vi.stubEnv("VITALS_NAMESPACE", " ");
    vi.stubEnv("VITALS_SERVICE", "");
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "orders-fn");
    await withVitals(ok)(httpApiEvent(), lambdaContext());
    const doc = only(out.documents());
    expect(doc.Service).toBe("orders-fn");
    const aws = doc._aws as { CloudWatchMetrics: { Namespace: string }[] };
    expect(aws.CloudWatchMetrics[0]?.Namespace).toBe("LambdaVitals");
  });

  it("writes with process.stdout.write and never through console", async () => {
    const log = vi.spyOn(console, "log");
    const info = vi.spyOn(console, "info");
    await withVitals(ok, options)(httpApiEvent(), lambdaContext());
    expect(log).not.toHaveBeenCalled();
    expect(info).not.toHaveBeenCalled();
    expect(out.lines()).toHaveLength(1);
    log.mockRestore();
    info.mockRestore();
  });

  it("keeps a typical success line under 600 bytes", async () => {
    vi.stubEnv(
      "_X_AMZN_TRACE_ID",
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    );
    await withVitals(ok, { namespace: "LambdaVitals/prod", service: "orders-api" })(
      httpApiEvent(),
      lambdaContext({ requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" }),
    );
    const line = out.lines()[0] ?? "";
    expect(Buffer.byteLength(line)).toBeLessThan(600);
    expect(only(out.documents()).traceId).toBe("1-5759e988-bd862e3fe1be46a994272793");
  });
});
