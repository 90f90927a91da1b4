/**
 * The business logic every variant wraps: the same tiny handler, so that what a variant adds on
 * top of it is the cost of its instrumentation and nothing else.
 */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";

export const NAMESPACE = "Bench";
export const SERVICE = "bench";

const BODY = JSON.stringify({ ok: true });

export async function work(
  event: APIGatewayProxyEventV2,
  _context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  return {
    statusCode: event.rawPath === "" ? 404 : 200,
    headers: { "content-type": "application/json" },
    body: BODY,
  };
}
