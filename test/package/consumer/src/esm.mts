// The same names from an ES module (module node16: a .mts file is ESM).
import { HttpError, withVitals } from "lambda-vitals";
import { runtimeChecks } from "lambda-vitals/health";
import { invokeMeasured } from "lambda-vitals/testing";

export const handler = withVitals(async (event: { id?: string }) => {
  if (event.id === undefined) throw new HttpError(400);
  return { statusCode: 200, body: event.id };
});
export const checks = runtimeChecks();
export const measured = invokeMeasured(handler, { id: "1" });
