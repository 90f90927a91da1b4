/**
 * Health as metrics, for the scheduled run. `Health` rides on the invocation's canonical line (a
 * custom metric with the `[Service]` dimension set); `HealthCheck` needs one line per check,
 * because EMF takes a dimension's value from a root member, and a document has only one `Check`.
 */
import { DIMENSIONS, FIELDS, HEALTH_CHECK_DIMENSION, HEALTH_METRICS } from "../contract";
import { singleMetricLine } from "../emf";
import type { CheckResult, HealthStatus } from "./checks";

/**
 * `Health` is 1 unless the service fails (it would answer 503): `warn` still serves. A check's
 * `HealthCheck` is 1 only when it passes, so a warning check shows on the dashboard too.
 *
 * @example
 * metricsFor(context).addMetric(HEALTH_METRICS.health.name, healthValue(report.status), "Count");
 */
export function healthValue(status: HealthStatus): 0 | 1 {
  return status === "fail" ? 0 : 1;
}

/**
 * A check's `HealthCheck` value: 1 only when it passes.
 *
 * @example
 * checkValue("warn"); // 0
 */
export function checkValue(status: HealthStatus): 0 | 1 {
  return status === "pass" ? 1 : 0;
}

export interface CheckLinesInput {
  readonly timestamp: number;
  readonly namespace: string;
  readonly service: string;
  readonly requestId: string | undefined;
  readonly results: readonly CheckResult[];
}

/**
 * One EMF line per check: `HealthCheck` (1 pass, 0 not) with dimensions `[Service, Check]`. Each
 * is one metric with one value, and check names are validated when the handler is made, so no
 * line can reach a CloudWatch limit.
 *
 * @example
 * for (const line of healthCheckLines({ timestamp: Date.now(), namespace, service, requestId, results })) {
 *   process.stdout.write(`${line}\n`);
 * }
 */
export function healthCheckLines(input: CheckLinesInput): string[] {
  return input.results.map((result) =>
    singleMetricLine({
      timestamp: input.timestamp,
      namespace: input.namespace,
      dimensions: [DIMENSIONS.service, HEALTH_CHECK_DIMENSION],
      metric: HEALTH_METRICS.check,
      value: checkValue(result.status),
      members: {
        [DIMENSIONS.service]: input.service,
        [HEALTH_CHECK_DIMENSION]: result.name,
        [FIELDS.requestId]: input.requestId,
        checkStatus: result.status,
      },
    }),
  );
}
