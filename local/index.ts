/**
 * The local CloudWatch: a metric store read with CloudWatch's EMF rules, its statistics, and the
 * alarm evaluator. Development-time tools; nothing under `functions/` or `infra/` imports them.
 */

export {
  type AlarmResource,
  type AlarmState,
  type AlarmTimeline,
  firstMinuteIn,
  type ReplayOptions,
  replayAlarms,
} from "./alarm-evaluator";
export { type EmfDatapoint, type EmfReading, readEmfLine } from "./emf-reader";
export { type MathExpression, type PeriodValue, parseMathExpression } from "./metric-math";
export {
  createMetricStore,
  type IngestResult,
  type MetricQuery,
  type MetricStore,
  MINUTE_MS,
  minuteOf,
  type Rejection,
  type SeriesPoint,
  type StoredMetric,
  type SyntheticSeries,
} from "./metric-store";
export { isStatistic, percentileOf, type StatisticName, statistic } from "./statistics";
