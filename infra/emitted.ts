/**
 * What the code emits, as one catalogue the dashboard, the alarms and the checks read: each
 * metric's name, unit and dimension sets, derived from the library's metric contract.
 */
import {
  DEFAULT_NAMESPACE,
  DIMENSIONS,
  DROPPED_METRIC_DATA,
  HEALTH_CHECK_DIMENSION,
  HEALTH_METRICS,
  METRICS,
  type MetricSpec,
  REQUEST_DIMENSION_SETS,
} from "../functions/vitals/contract";

/** The namespace the wrapper writes to when nothing names one; infra adds the stage. */
export { DEFAULT_NAMESPACE };

/**
 * The contract's shape. The generators take it as an argument (the real one by default), so a
 * test can hand them a contract with a renamed metric and watch the references follow.
 */
export interface Contract {
  readonly metrics: Readonly<Record<keyof typeof METRICS, MetricSpec>>;
  readonly healthMetrics: Readonly<Record<keyof typeof HEALTH_METRICS, MetricSpec>>;
  readonly droppedMetricData: MetricSpec;
  readonly dimensions: { readonly service: string; readonly route: string };
  readonly healthCheckDimension: string;
  readonly requestDimensionSets: readonly (readonly string[])[];
}

/** The contract the library emits today. */
export const CONTRACT: Contract = {
  metrics: METRICS,
  healthMetrics: HEALTH_METRICS,
  droppedMetricData: DROPPED_METRIC_DATA,
  dimensions: DIMENSIONS,
  healthCheckDimension: HEALTH_CHECK_DIMENSION,
  requestDimensionSets: REQUEST_DIMENSION_SETS,
};

/** One metric as CloudWatch stores it: a name, a unit and the dimension sets it is written under. */
export interface EmittedMetric extends MetricSpec {
  readonly dimensionSets: readonly (readonly string[])[];
}

/**
 * Lists every metric the code writes, with the dimension sets it writes it under.
 *
 * @example
 * emittedMetrics(CONTRACT).find((m) => m.name === "Latency")?.dimensionSets;
 * // [["Service", "Route"], ["Service"]]
 */
export function emittedMetrics(contract: Contract = CONTRACT): EmittedMetric[] {
  const service = contract.dimensions.service;
  return [
    ...Object.values(contract.metrics).map((metric) => ({
      ...metric,
      dimensionSets: contract.requestDimensionSets,
    })),
    { ...contract.healthMetrics.health, dimensionSets: [[service]] },
    {
      ...contract.healthMetrics.check,
      dimensionSets: [[service, contract.healthCheckDimension]],
    },
    { ...contract.droppedMetricData, dimensionSets: [[service]] },
  ];
}
