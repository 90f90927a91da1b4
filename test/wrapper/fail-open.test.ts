/** Fail-open: a fault in measuring never changes what the handler returns. */
import type { Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { metricsFor, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { httpApiEvent } from "../fixtures/events";
import { capturedEachTest, ok, only, options } from "./harness";

const out = capturedEachTest();

describe("fail-open", () => {
  it("returns the handler's result when a property cannot be serialised", async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addProperty("loop", circular);
      metricsFor(context).addProperty("big", 10n);
      return { statusCode: 200, body: "still here" };
    }, options);
    const result = await handler(httpApiEvent(), lambdaContext());
    expect(result).toEqual({ statusCode: 200, body: "still here" });
    const doc = only(out.documents());
    expect(doc).toMatchObject({ Requests: 1, status: 200 });
    expect(doc.vitalsPropertiesDropped).toContain("not serialisable");
  });

  it("still writes the request metrics when rendering the handler's data fails", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addMetric("Orders", 1, "Count");
      // a renderer that breaks, as a bug in it or a foreign copy of the library would
      const slot = (context as unknown as Record<symbol, { recording?: unknown }>)[
        Symbol.for("lambda-vitals.slot.2")
      ];
      if (slot !== undefined)
        slot.recording = {
          render: () => {
            throw new Error("broken");
          },
        };
      return { statusCode: 200, body: "ok" };
    }, options);
    const result = await handler(httpApiEvent(), lambdaContext());
    expect(result).toEqual({ statusCode: 200, body: "ok" });
    const doc = only(out.documents());
    expect(doc).toMatchObject({ Requests: 1, status: 200 });
    expect(doc.Orders).toBeUndefined();
  });

  it("returns the handler's result when stdout throws", async () => {
    out.restore();
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => {
      throw new Error("EPIPE");
    });
    try {
      const result = await withVitals(ok, options)(httpApiEvent(), lambdaContext());
      expect(result).toEqual({ statusCode: 200, body: "ok" });
      expect(write).toHaveBeenCalledTimes(1);
    } finally {
      write.mockRestore(); // the harness restores its own capture after the test
    }
  });

  it("still runs the handler when the context is frozen or missing", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addMetric("Lost", 1);
      return { statusCode: 200 };
    }, options);
    await expect(handler(httpApiEvent(), Object.freeze(lambdaContext()))).resolves.toEqual({
      statusCode: 200,
    });
    await expect(handler(httpApiEvent(), undefined as unknown as Context)).resolves.toEqual({
      statusCode: 200,
    });
    expect(out.lines()).toHaveLength(2);
  });
});
