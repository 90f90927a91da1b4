/** `raw`: the handler without instrumentation, the floor every other variant is measured from. */
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { work } from "./workload";

export const handler = async (event: APIGatewayProxyEventV2, context: Context) =>
  work(event, context);
