/** `lambda-vitals`: the workload wrapped in one line, as a user would. */
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { withVitals } from "lambda-vitals";
import { NAMESPACE, SERVICE, work } from "./workload";

export const handler = withVitals(
  async (event: APIGatewayProxyEventV2, context: Context) => work(event, context),
  { namespace: NAMESPACE, service: SERVICE },
);
