/**
 * The health function. `GET /health` reports what is true about the service right now,
 * `GET /health/live` only that the function answers, and the every-minute schedule turns the same
 * checks into the `Health` and `HealthCheck` metrics that the alarms watch.
 *
 * Add your own checks to the list: a database ping, a downstream URL. See docs/health.md.
 */
import { withVitals } from "lambda-vitals";
import {
  cloudWatchChecks,
  healthHandler,
  healthSettings,
  runtimeChecks,
  siblingChecks,
} from "lambda-vitals/health";

// Read at init: a malformed setting fails the first invocation loudly, not every check quietly.
const settings = healthSettings(process.env);

// serviceWide: false keeps probes out of the service-wide figures that the checks themselves read.
export const handler = withVitals(
  healthHandler({
    settings,
    checks: [...runtimeChecks(), ...cloudWatchChecks(settings), ...siblingChecks(settings)],
  }),
  { serviceWide: false },
);
