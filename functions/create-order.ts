/**
 * Example: `POST /orders`, a handler that validates its JSON body (400 on bad input) and records
 * business metrics.
 */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { HttpError, metricsFor, withVitals } from "lambda-vitals";
import { CHANNELS, type Channel, json, type Order, type OrderLine, PRICES } from "./orders-store";

/** `POST /orders`: validates the JSON body, answers 400 on bad input and 201 with the order. */
export const createOrder = withVitals(
  async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const input = parseOrder(readBody(event));
    const totalCents = input.lines.reduce(
      (sum, line) => sum + (PRICES.get(line.sku) ?? 0) * line.quantity,
      0,
    );
    const order: Order = { id: context.awsRequestId, ...input, totalCents };
    const metrics = metricsFor(context);
    metrics.addDimension("Channel", order.channel); // bounded: validated against CHANNELS
    metrics.addMetric("OrdersCreated", 1, "Count");
    metrics.addMetric("OrderValue", totalCents / 100, "None");
    metrics.addProperty("orderId", order.id);
    return json(201, order);
  },
);

function readBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === "")
    throw new HttpError(400, "a JSON body is required");
  const text = event.isBase64Encoded
    ? Buffer.from(event.body, "base64").toString("utf8")
    : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "the body is not valid JSON");
  }
}

function parseOrder(body: unknown): Pick<Order, "channel" | "lines"> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "the body must be a JSON object");
  }
  const { channel, lines } = body as Record<string, unknown>;
  if (!CHANNELS.includes(channel as Channel)) {
    throw new HttpError(400, `channel must be one of ${CHANNELS.join(", ")}`);
  }
  if (!Array.isArray(lines) || lines.length === 0 || lines.length > 50) {
    throw new HttpError(400, "lines must be an array of 1 to 50 order lines");
  }
  return { channel: channel as Channel, lines: lines.map(parseLine) };
}

function parseLine(line: unknown, index: number): OrderLine {
  const { sku, quantity } = (typeof line === "object" && line !== null ? line : {}) as Record<
    string,
    unknown
  >;
  if (typeof sku !== "string" || !PRICES.has(sku)) {
    throw new HttpError(400, `lines[${index}].sku must be one of ${[...PRICES.keys()].join(", ")}`);
  }
  if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > 1000) {
    throw new HttpError(400, `lines[${index}].quantity must be an integer from 1 to 1000`);
  }
  return { sku, quantity: quantity as number };
}
