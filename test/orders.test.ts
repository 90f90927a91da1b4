import { describe, expect, it } from "vitest";
import { createOrder } from "../functions/create-order";
import { getInvoice } from "../functions/get-invoice";
import { getOrder } from "../functions/get-order";
import { lambdaContext } from "./fixtures/context";
import { emfProblems } from "./fixtures/emf-spec";
import { httpApiEvent } from "./fixtures/events";
import { capturedEachTest } from "./fixtures/stdout";

const out = capturedEachTest();

const post = (body: string | undefined, isBase64Encoded = false) =>
  httpApiEvent({ method: "POST", path: "/orders", route: "/orders", body, isBase64Encoded });

describe("the example orders API", () => {
  it("finds an order, and answers 404 for one that does not exist", async () => {
    const found = await getOrder(httpApiEvent({ path: "/orders/1001" }), lambdaContext());
    const missing = await getOrder(httpApiEvent({ path: "/orders/9" }), lambdaContext());
    expect(found.statusCode).toBe(200);
    expect(JSON.parse(found.body ?? "")).toMatchObject({ id: "1001", totalCents: 2500 });
    expect(missing.statusCode).toBe(404);
    expect(out.documents().map((d) => [d.Route, d.status, d.ClientErrors, d.OrdersViewed])).toEqual(
      [
        ["GET /orders/{id}", 200, 0, 1],
        ["GET /orders/{id}", 404, 1, undefined],
      ],
    );
    expect(out.documents()[0]).toMatchObject({ Channel: "web", orderId: "1001" });
  });

  it("creates an order and records its business metrics", async () => {
    const body = JSON.stringify({ channel: "mobile", lines: [{ sku: "SKU-2", quantity: 2 }] });
    const response = await createOrder(post(body), lambdaContext({ requestId: "o-1" }));
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body ?? "")).toMatchObject({ id: "o-1", totalCents: 9998 });
    const [line] = out.lines();
    expect(emfProblems(line ?? "")).toEqual([]);
    expect(out.documents()[0]).toMatchObject({
      Channel: "mobile",
      OrdersCreated: 1,
      OrderValue: 99.98,
      orderId: "o-1",
    });
  });

  it("reads a base64-encoded body", async () => {
    const body = Buffer.from(
      JSON.stringify({ channel: "web", lines: [{ sku: "SKU-3", quantity: 1 }] }),
    );
    const response = await createOrder(post(body.toString("base64"), true), lambdaContext());
    expect(response.statusCode).toBe(201);
  });

  it.each([
    [undefined, /a JSON body is required/],
    ["", /a JSON body is required/],
    ["{not json", /not valid JSON/],
    ["[]", /must be a JSON object/],
    ["null", /must be a JSON object/],
    ['{"channel":"fax","lines":[{"sku":"SKU-1","quantity":1}]}', /channel must be one of/],
    ['{"channel":"web","lines":[]}', /lines must be an array of 1 to 50/],
    ['{"channel":"web","lines":[{"sku":"SKU-9","quantity":1}]}', /lines\[0\]\.sku/],
    ['{"channel":"web","lines":[{"sku":"SKU-1","quantity":0}]}', /lines\[0\]\.quantity/],
    ['{"channel":"web","lines":[{"sku":"SKU-1","quantity":1.5}]}', /lines\[0\]\.quantity/],
    ['{"channel":"web","lines":[null]}', /lines\[0\]\.sku/],
  ])("answers 400 with a clear message for the body %j", async (body, message) => {
    const response = await createOrder(post(body), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? "").message).toMatch(message);
    expect(out.documents()[0]).toMatchObject({ status: 400, ClientErrors: 1, Errors: 0 });
  });

  it.each(["constructor", "toString", "valueOf", "__proto__", "hasOwnProperty"])(
    "answers 400 for the SKU %j, a name every object inherits, and records no order",
    async (sku) => {
      // Prepare: JSON.parse makes "__proto__" an own key, as a hostile client would send it
      const body = `{"channel":"web","lines":[{"sku":${JSON.stringify(sku)},"quantity":1}]}`;

      // Act
      const response = await createOrder(post(body), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body ?? "").message).toBe(
        "lines[0].sku must be one of SKU-1, SKU-2, SKU-3",
      );
      const [document] = out.documents();
      expect(document).toMatchObject({ status: 400, ClientErrors: 1 });
      expect(document).not.toHaveProperty("OrdersCreated");
      expect(document).not.toHaveProperty("OrderValue");
    },
  );

  it("fails the invoice the way a broken dependency does: 500, request id only", async () => {
    const response = await getInvoice(
      httpApiEvent({ path: "/orders/1001/invoice", route: "/orders/{id}/invoice" }),
      lambdaContext({ requestId: "r-inv" }),
    );
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? "")).toEqual({
      message: "Internal Server Error",
      requestId: "r-inv",
    });
    expect(out.documents()[0]).toMatchObject({
      Errors: 1,
      errorMessage: expect.stringContaining("INVOICE_RENDERER_URL"),
    });
  });
});
