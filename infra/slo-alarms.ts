/**
 * The burn-rate alarms of the objectives (infra/objectives.ts): for each indicator and each of
 * the workbook's three alerts, a long-window and a short-window metric alarm over the wrapper's
 * own metrics, joined by a composite alarm that is in ALARM while both are. The two page pairs
 * feed the page alarm; the ticket pairs feed `TicketAlarm`, which notifies a topic of its own.
 *
 * Each window is one datapoint over the whole window (`Period` = the window, one evaluation
 * period), so the alarm's value is the window's burn rate. CloudWatch allows it: "Period
 * multiplied by EvaluationPeriods can't be more than 604,800 seconds", one day for periods
 * under an hour (PutMetricAlarm, Amazon CloudWatch API Reference); the longest window is 3 days.
 *
 * Latency counts its good requests with the percentile rank `PR(:t)`, "the percentage of data
 * points that have a value of t or less" ("CloudWatch statistics definitions"), which alarms
 * accept ("PR(n:m) where n and m are values of the metric", PutMetricAlarm ExtendedStatistic;
 * a metric math alarm's `Stat` takes any statistic). Percentile statistics need raw values,
 * which EMF lines give: each line's `Latency` is one value.
 */
import type { CfnResource } from "./cfn";
import type { Contract } from "./emitted";
import {
  type BurnPair,
  burnPairs,
  INDICATORS,
  type Indicator,
  type Objectives,
  type RouteObjective,
} from "./objectives";
import type { StackInput } from "./service";

export const TICKET_ALARM_ID = "TicketAlarm";
export const TICKET_TOPIC_ID = "TicketTopic";
export const HAS_TICKET_EMAIL = "HasTicketEmail";

/** What an objective applies to: the service's `[Service]` series, or one route's. */
export interface SloTarget {
  /** Undefined for the service. */
  readonly route: string | undefined;
  /** Before the logical ids: "" for the service, `RouteGetOrdersId` for a route. */
  readonly idPrefix: string;
  /** Before the indicator in the alarm names: "" for the service, `get-orders-id-` for a route. */
  readonly namePrefix: string;
  readonly objective: Omit<RouteObjective, "route">;
}

/**
 * The service, then every route with objectives of its own.
 *
 * @example
 * sloTargets(objectives).map((t) => t.idPrefix); // ["", "RouteGetOrdersId"]
 */
export function sloTargets(objectives: Objectives): SloTarget[] {
  const used = new Set<string>();
  return [
    { route: undefined, idPrefix: "", namePrefix: "", objective: objectives },
    ...objectives.routes.map((route) => {
      const words = route.route.match(/[A-Za-z0-9]+/g) ?? [];
      let id = `Route${words.map((w) => w[0]?.toUpperCase() + w.slice(1).toLowerCase()).join("")}`;
      // two routes that read alike ("GET /a-b", "GET /ab") get a number
      for (let n = 2; used.has(id); n += 1) id = `${id.replace(/\d+$/, "")}${n}`;
      used.add(id);
      return {
        route: route.route,
        idPrefix: id,
        namePrefix: `${words.join("-").toLowerCase()}-`,
        objective: route,
      };
    }),
  ];
}

/** The alarms of one indicator's pair, by logical id. */
export interface PairIds {
  readonly target: SloTarget;
  readonly indicator: Indicator;
  readonly pair: BurnPair;
  readonly long: string;
  readonly short: string;
  readonly composite: string;
}

/**
 * The logical ids of every pair: `AvailabilityFastBurnLongAlarm`, `…ShortAlarm`, and the
 * composite `AvailabilityFastBurnAlarm`.
 *
 * @example
 * pairIds(objectives)[0]; // { indicator: "availability", long: "AvailabilityFastBurnLongAlarm", ... }
 */
export function pairIds(objectives: Objectives, target?: SloTarget): PairIds[] {
  const of = target ?? sloTargets(objectives)[0];
  if (of === undefined) throw new Error("lambda-vitals: no objective to alarm on");
  return INDICATORS.flatMap((indicator) =>
    burnPairs(objectives.periodDays).map((pair) => {
      const base = `${of.idPrefix}${indicator === "availability" ? "Availability" : "Latency"}${pair.id}`;
      return {
        target: of,
        indicator,
        pair,
        long: `${base}LongAlarm`,
        short: `${base}ShortAlarm`,
        composite: `${base}Alarm`,
      };
    }),
  );
}

/**
 * The pairs of every target: the service's, then each route's.
 *
 * @example
 * allPairIds(objectives).length; // 6 × (1 + routes with objectives)
 */
export function allPairIds(objectives: Objectives): PairIds[] {
  return sloTargets(objectives).flatMap((target) => pairIds(objectives, target));
}

/**
 * The `AlarmName` of a pair's composite (`shop-prod-slo-availability-fast-burn`); its windows
 * add `-<window>`.
 */
function pairName(input: Pick<StackInput, "service" | "stage">, ids: PairIds): string {
  return `${input.service}-${input.stage}-slo-${ids.target.namePrefix}${ids.indicator}-${kebab(ids.pair.id)}`;
}

/**
 * The names of the pairs that page, as the health function asks CloudWatch for their state.
 *
 * @example
 * pageAlarmNames(input, objectives); // ["shop-prod-slo-availability-fast-burn", ...]
 */
export function pageAlarmNames(
  input: Pick<StackInput, "service" | "stage">,
  objectives: Objectives,
): string[] {
  return allPairIds(objectives)
    .filter((ids) => ids.pair.severity === "page")
    .map((ids) => pairName(input, ids));
}

/**
 * A window's length as people write it: `5m`, `1h`, `3d`.
 *
 * @example
 * windowLabel(1800); // "30m"
 */
export function windowLabel(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return `${seconds / 60}m`;
}

/**
 * The budget of an objective in percent of requests, as the expressions divide by it: 99.9 → 0.1.
 * Rounded so that 100 - 99.9 reads 0.1.
 */
export function budgetPercent(objective: number): number {
  return Number((100 - objective).toFixed(9));
}

/**
 * The burn rate as metric math, the one formula the alarms and the dashboard both write: the
 * bad share ÷ the budget, from the queries `requests` and `bad` (Sum of `Requests` and `Errors`)
 * for availability, from `good` (`PR(:latencyMs)` of `Latency`) for latency.
 *
 * @example
 * burnRate("availability", { availability: 99.9, latencyPercent: 99, latencyMs: 1000 });
 * // "100 * bad / requests / 0.1"
 */
export function burnRate(indicator: Indicator, objective: Omit<RouteObjective, "route">): string {
  return indicator === "availability"
    ? `100 * bad / requests / ${budgetPercent(objective.availability)}`
    : `(100 - good) / ${budgetPercent(objective.latencyPercent)}`;
}

/**
 * The metric queries and the expression whose value is one window's burn rate. `guard` is the
 * quiet-service guard: the long windows return 0 below that many bad requests.
 *
 * @example
 * burnQueries(input, contract, objectives, "availability", 3600, 3).at(-1)?.Expression;
 * // "IF(bad >= 3, 100 * bad / requests / 0.1, 0)"
 */
export function burnQueries(
  input: StackInput,
  contract: Contract,
  objectives: Omit<RouteObjective, "route">,
  indicator: Indicator,
  seconds: number,
  guard: number | undefined,
  route?: string,
): Record<string, unknown>[] {
  const { metrics, dimensions } = contract;
  const series = [
    { Name: dimensions.service, Value: input.service },
    ...(route === undefined ? [] : [{ Name: dimensions.route, Value: route }]),
  ];
  const stat = (metric: { name: string; unit?: string }, statistic: string, unit?: string) => ({
    Metric: {
      Namespace: input.namespace,
      MetricName: metric.name,
      Dimensions: series,
    },
    Period: seconds,
    Stat: statistic,
    ...(unit === undefined ? {} : { Unit: unit }),
  });
  const label = `${indicator} burn rate (${windowLabel(seconds)})`;
  const burn = burnRate(indicator, objectives);
  if (indicator === "availability") {
    return [
      { Id: "requests", MetricStat: stat(metrics.requests, "Sum"), ReturnData: false },
      { Id: "bad", MetricStat: stat(metrics.errors, "Sum"), ReturnData: false },
      {
        Id: "burn",
        Label: label,
        Expression: guard === undefined ? burn : `IF(bad >= ${guard}, ${burn}, 0)`,
        ReturnData: true,
      },
    ];
  }
  const latency = metrics.latency;
  return [
    { Id: "total", MetricStat: stat(latency, "SampleCount", latency.unit), ReturnData: false },
    {
      Id: "good",
      MetricStat: stat(latency, `PR(:${objectives.latencyMs})`, latency.unit),
      ReturnData: false,
    },
    {
      Id: "burn",
      Label: label,
      Expression:
        guard === undefined ? burn : `IF(total * (100 - good) / 100 >= ${guard}, ${burn}, 0)`,
      ReturnData: true,
    },
  ];
}

/**
 * The burn-rate alarms, their pair composites, `TicketAlarm` with its topic, and the ids of the
 * composites that page.
 *
 * @example
 * const { Resources, pages } = sloResources(input, CONTRACT, objectives, "oncall@example.com");
 * pages; // ["AvailabilityFastBurnAlarm", "AvailabilitySlowBurnAlarm", "LatencyFastBurnAlarm", ...]
 */
export function sloResources(
  input: StackInput,
  contract: Contract,
  objectives: Objectives,
  ticketEmail: string,
): {
  Conditions: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  pages: string[];
} {
  const resources: Record<string, CfnResource> = {};
  const pages: string[] = [];
  const tickets: string[] = [];
  const objectiveText = (indicator: Indicator, target: SloTarget) => {
    const { objective, route } = target;
    const of = route === undefined ? "requests" : `requests to ${route}`;
    return indicator === "availability"
      ? `${objective.availability}% of ${of} answered without a 5xx, a throw or a timeout`
      : `${objective.latencyPercent}% of ${of} answered within ${objective.latencyMs} ms`;
  };
  for (const ids of allPairIds(objectives)) {
    const { indicator, pair, target } = ids;
    const name = (what: string) => `${pairName(input, ids)}${what}`;
    const spent = `${pair.budgetShare * 100}% of the ${objectives.periodDays}-day error budget`;
    const window = (seconds: number, long: boolean): CfnResource => ({
      Type: "AWS::CloudWatch::Alarm",
      Properties: {
        AlarmName: name(`-${windowLabel(seconds)}`),
        AlarmDescription:
          `The ${indicator} burn rate over the last ${windowLabel(seconds)} is ${pair.burnRate} ` +
          `or more (objective: ${objectiveText(indicator, target)}). ` +
          (long
            ? `At this rate ${spent} goes in ${windowLabel(pair.longSeconds)}; fewer than ` +
              `${objectives.minBadRequests} bad requests in the window do not count.`
            : "The short window of its pair: it says the burning has not stopped."),
        Metrics: burnQueries(
          input,
          contract,
          target.objective,
          indicator,
          seconds,
          long ? objectives.minBadRequests : undefined,
          target.route,
        ),
        Threshold: pair.burnRate,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        // no requests in the window: nothing burns
        TreatMissingData: "notBreaching",
      },
    });
    resources[ids.long] = window(pair.longSeconds, true);
    resources[ids.short] = window(pair.shortSeconds, false);
    resources[ids.composite] = {
      Type: "AWS::CloudWatch::CompositeAlarm",
      Properties: {
        AlarmName: name(""),
        AlarmDescription:
          `${spent} for ${objectiveText(indicator, target)} burned within ` +
          `${windowLabel(pair.longSeconds)} and is still burning (the last ` +
          `${windowLabel(pair.shortSeconds)}). ` +
          (pair.severity === "page"
            ? "It pages. docs/alarms.md says what to do first."
            : "It opens a ticket: look within a working day."),
        AlarmRule: {
          "Fn::Sub": `ALARM("\${${ids.long}.Arn}") AND ALARM("\${${ids.short}.Arn}")`,
        },
      },
    };
    (pair.severity === "page" ? pages : tickets).push(ids.composite);
  }
  const actions = {
    "Fn::If": [HAS_TICKET_EMAIL, [{ Ref: TICKET_TOPIC_ID }], { Ref: "AWS::NoValue" }],
  };
  resources[TICKET_ALARM_ID] = {
    Type: "AWS::CloudWatch::CompositeAlarm",
    Properties: {
      AlarmName: `${input.service}-${input.stage}-ticket`,
      AlarmDescription:
        `${input.service} ${input.stage} is spending its error budget faster than the ` +
        `${objectives.periodDays}-day period allows: 10% of it within 3 days. Not a page: ` +
        "look within a working day. docs/alarms.md says where.",
      AlarmRule: { "Fn::Sub": tickets.map((id) => `ALARM("\${${id}.Arn}")`).join(" OR ") },
      AlarmActions: actions,
      OKActions: actions,
    },
  };
  resources[TICKET_TOPIC_ID] = {
    Type: "AWS::SNS::Topic",
    Condition: HAS_TICKET_EMAIL,
    Properties: { DisplayName: `${input.service} ${input.stage} tickets` },
  };
  resources.TicketEmailSubscription = {
    Type: "AWS::SNS::Subscription",
    Condition: HAS_TICKET_EMAIL,
    Properties: { TopicArn: { Ref: TICKET_TOPIC_ID }, Protocol: "email", Endpoint: ticketEmail },
  };
  return {
    Conditions: { [HAS_TICKET_EMAIL]: { "Fn::Not": [{ "Fn::Equals": [ticketEmail, ""] }] } },
    Resources: resources,
    pages,
  };
}

function kebab(id: string): string {
  return id.replace(/[A-Z]/g, (c, at: number) => (at === 0 ? "" : "-") + c.toLowerCase());
}
