// A service's handler file, as the adoption guide has it: every public name of the package used.
import type { APIGatewayProxyHandler, Context, Handler, SQSEvent } from "aws-lambda";
import { HttpError, type Metrics, metricsFor, type VitalsOptions, withVitals } from "lambda-vitals";
import {
  cloudWatchChecks,
  type HealthCheck,
  healthHandler,
  healthSettings,
  runtimeChecks,
  siblingChecks,
} from "lambda-vitals/health";

const options: VitalsOptions = { routes: ["GET /books/{id}"] };

export const getBook: APIGatewayProxyHandler = withVitals(async (event, context) => {
  const metrics: Metrics = metricsFor(context);
  metrics.addMetric("BooksRead", 1, "Count");
  if (!event.pathParameters?.id) throw new HttpError(400, "id is required");
  return { statusCode: 200, body: event.pathParameters.id };
}, options);

export const legacy = withVitals(
  (event: { name: string }, _context: Context, callback: (error: null, result: string) => void) =>
    callback(null, event.name),
);

export const queue: Handler<SQSEvent, void> = withVitals(async (event: SQSEvent) => {
  if (event.Records.length === 0) return;
});

const ping: HealthCheck = { name: "db:ping", onFailure: "fail", run: () => ({ status: "pass" }) };
const settings = healthSettings(process.env);
export const health = withVitals(
  healthHandler({
    settings,
    checks: [...runtimeChecks(), ...cloudWatchChecks(settings), ...siblingChecks(settings), ping],
  }),
  { serviceWide: false },
);
