// A service's own test: invokeMeasured takes a handler typed as the service types it.
import type { APIGatewayProxyEvent } from "aws-lambda";
import { invokeMeasured } from "lambda-vitals/testing";
import { getBook, legacy, queue } from "./handlers";

export async function check(event: APIGatewayProxyEvent): Promise<number> {
  const { result, lines } = await invokeMeasured(getBook, event);
  const named = await invokeMeasured(legacy, { name: "x" });
  const text: string | undefined = named.result;
  await invokeMeasured(queue, { Records: [] });
  return (result?.statusCode ?? 0) + lines.length + (text?.length ?? 0);
}
