/**
 * The example orders API's sample data and shared helpers: a read-only catalogue and two orders,
 * so that the examples run without a database.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface Order {
  readonly id: string;
  readonly channel: Channel;
  readonly lines: readonly OrderLine[];
  readonly totalCents: number;
}

export type Channel = "web" | "mobile" | "partner";
export const CHANNELS: readonly Channel[] = ["web", "mobile", "partner"];

/**
 * A read-only sample catalogue: prices in cents. A Map, not an object literal: a SKU from a request
 * body is looked up as it is, and an object would answer `constructor` or `__proto__` with what
 * every object inherits.
 */
export const PRICES: ReadonlyMap<string, number> = new Map([
  ["SKU-1", 1250],
  ["SKU-2", 4999],
  ["SKU-3", 300],
]);

/** Sample orders, so that `GET /orders/{id}` has something to find. */
export const ORDERS: ReadonlyMap<string, Order> = new Map([
  [
    "1001",
    { id: "1001", channel: "web", lines: [{ sku: "SKU-1", quantity: 2 }], totalCents: 2500 },
  ],
  [
    "1002",
    { id: "1002", channel: "mobile", lines: [{ sku: "SKU-2", quantity: 1 }], totalCents: 4999 },
  ],
]);

/** A JSON response. */
export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}
