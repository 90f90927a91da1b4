/**
 * Example: `GET /orders/{id}/invoice`, a handler whose dependency is missing.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { json, ORDERS } from "./orders-store";
import { HttpError, withVitals } from "./vitals";

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
