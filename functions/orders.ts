/**
 * An example orders API: ordinary Lambda handlers, each wrapped in one line. Nothing in them knows
 * about metrics except the business metrics they choose to add.
 */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { HttpError, metricsFor, withVitals } from "./vitals";

interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
}

interface Order {
  readonly id: string;
  readonly channel: Channel;
  readonly lines: readonly OrderLine[];
  readonly totalCents: number;
}

type Channel = "web" | "mobile" | "partner";
const CHANNELS: readonly Channel[] = ["web", "mobile", "partner"];

/** A read-only sample catalogue: prices in cents. */
const PRICES: Readonly<Record<string, number>> = { "SKU-1": 1250, "SKU-2": 4999, "SKU-3": 300 };

/** Sample orders, so that `GET /orders/{id}` has something to find. */
const ORDERS: ReadonlyMap<string, Order> = new Map([
  [
    "1001",
    { id: "1001", channel: "web", lines: [{ sku: "SKU-1", quantity: 2 }], totalCents: 2500 },
  ],
  [
    "1002",
    { id: "1002", channel: "mobile", lines: [{ sku: "SKU-2", quantity: 1 }], totalCents: 4999 },
  ],
]);

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

/** `GET /orders/{id}`: 200 with the order, 404 when there is none. */
export const getOrder = withVitals(
  async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const id = event.pathParameters?.id ?? "";
    const order = ORDERS.get(id);
    if (order === undefined) throw new HttpError(404, `order ${JSON.stringify(id)} not found`);
    metricsFor(context).addProperty("orderId", id);
    return json(200, order);
  },
);

/** `POST /orders`: validates the JSON body, answers 400 on bad input and 201 with the order. */
export const createOrder = withVitals(
  async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const input = parseOrder(readBody(event));
    const totalCents = input.lines.reduce(
      (sum, line) => sum + (PRICES[line.sku] ?? 0) * line.quantity,
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

/**
 * `GET /orders/{id}/invoice`: depends on an invoice renderer that this example does not deploy,
 * so it fails the way a broken dependency does: a 500 whose body names only the request id.
 */
export const getInvoice = withVitals(
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const id = event.pathParameters?.id ?? "";
    if (!ORDERS.has(id)) throw new HttpError(404, `order ${JSON.stringify(id)} not found`);
    const renderer = process.env.INVOICE_RENDERER_URL;
    if (renderer === undefined) {
      throw new Error("invoice renderer unreachable: INVOICE_RENDERER_URL is not set");
    }
    return json(202, { id, renderer });
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
  if (typeof sku !== "string" || PRICES[sku] === undefined) {
    throw new HttpError(
      400,
      `lines[${index}].sku must be one of ${Object.keys(PRICES).join(", ")}`,
    );
  }
  if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > 1000) {
    throw new HttpError(400, `lines[${index}].quantity must be an integer from 1 to 1000`);
  }
  return { sku, quantity: quantity as number };
}
