/**
 * Example: `GET /orders/{id}/invoice`, a handler whose dependency is missing.
 */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { HttpError, metricsFor, withVitals } from "lambda-vitals";
import { json, ORDERS } from "./orders-store";

/**
 * `GET /orders/{id}/invoice`: depends on an invoice renderer that this example does not deploy,
 * so it fails the way a broken dependency does: a 500 whose body names only the request id.
 */
export const getInvoice = withVitals(
  async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const id = event.pathParameters?.id ?? "";
    if (!ORDERS.has(id)) throw new HttpError(404, `order ${JSON.stringify(id)} not found`);
    // Recorded before the call that fails: demand for invoices is worth knowing during an outage.
    metricsFor(context).addMetric("InvoicesRequested", 1, "Count");
    const renderer = process.env.INVOICE_RENDERER_URL;
    if (renderer === undefined) {
      throw new Error("invoice renderer unreachable: INVOICE_RENDERER_URL is not set");
    }
    return json(202, { id, renderer });
  },
);
