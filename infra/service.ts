/**
 * Reads the resolved `serverless.yml` (service, stage, region, provider, functions,
 * `custom.vitals`) into the one input the stack generators take. Routes, function names, the
 * namespace and the shared grants come from the service's own config, so nothing is written
 * down twice.
 */

import { NAMESPACE_VARIABLE } from "../functions/vitals/contract";
import { nonEmpty, record } from "./config-values";
import { DEFAULT_NAMESPACE } from "./emitted";
import { HEALTH_FUNCTION_KEY, writtenIdentity } from "./environment";
import { type Objectives, objectiveSettings, pagePairCount } from "./objectives";
import {
  functionStatements,
  type PolicyStatement,
  refuseOwnRole,
  requireEventPermissions,
  type SharedGrants,
  sharedGrants,
} from "./permissions";
import { functionRoutes } from "./routes";
import { siblingListProblem } from "./siblings";
import { alarmSettings, cliParams, type Thresholds } from "./thresholds";

export type { Objectives, PolicyStatement, SharedGrants, Thresholds };

export interface FunctionInput {
  /** The key under `functions:` (`getOrder`). */
  readonly key: string;
  /** The deployed function name (`lambda-vitals-prod-getOrder`). */
  readonly name: string;
  /** The name Serverless builds logical ids from (`GetOrder` → `GetOrderLogGroup`). */
  readonly logicalName: string;
  /**
   * The `Route` values the wrapper writes for this function's HTTP events (see routes.ts), less
   * those an earlier function already writes: each series gets one row.
   */
  readonly routes: readonly string[];
  /** `custom.vitals.permissions.<key>`: what only this function needs. */
  readonly statements: readonly PolicyStatement[];
  /** `custom.vitals.routes.<key>` as written: the wrapper gets them in `VITALS_ROUTES`. */
  readonly templates: readonly string[];
}

/** The API Gateway APIs in front of the functions: the alarms read their own 5xx counts. */
export interface ApiGateways {
  /** An `httpApi` event exists: Serverless makes one HTTP API, logical id `HttpApi`. */
  readonly httpApi: boolean;
  /** The REST API's name (`<stage>-<service>`, Serverless' default) when an `http` event exists. */
  readonly restApiName: string | undefined;
}

export interface StackInput {
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  readonly namespace: string;
  readonly functions: readonly FunctionInput[];
  readonly thresholds: Thresholds;
  /** `custom.vitals.objectives`: undefined when `false`, the burn-rate alarms are not made. */
  readonly objectives: Objectives | undefined;
  readonly apis: ApiGateways;
  /** Empty: no SNS topic, the alarms only change state in the console. */
  readonly alarmEmail: string;
  /** Where `TicketAlarm` writes: `custom.vitals.alarms.ticketEmail`, else the alarm e-mail. */
  readonly ticketEmail: string;
  /**
   * One role per function, carrying these service-wide grants; `false` when the service keeps
   * its own roles (`custom.vitals.roles: false`) and the stack makes none.
   */
  readonly roles: SharedGrants | false;
  /** What the service should know but need not fix (a `--param` replacing a setting). */
  readonly warnings: readonly string[];
}

/** The parts of the resolved `serverless.yml` the generators read. */
export interface ServiceConfig {
  readonly service: unknown;
  readonly stage: unknown;
  readonly region: unknown;
  /** `provider`: its IAM and environment. Absent is read as an empty provider. */
  readonly provider?: unknown;
  readonly functions: unknown;
  /** `custom.vitals`; absent or empty takes every default. */
  readonly vitals: unknown;
  /** The command's options; `param` holds its `--param name=value` values. */
  readonly options?: { readonly param?: unknown };
}

/**
 * Serverless' logical-id rule for function keys: first letter upper, `-` and `_` spelled out.
 *
 * @example
 * logicalNameOf("get-order"); // "GetDashorder"
 */
export function logicalNameOf(key: string): string {
  const spelled = key.replaceAll("-", "Dash").replaceAll("_", "Underscore");
  return spelled.charAt(0).toUpperCase() + spelled.slice(1);
}

/**
 * Whether the service has the health function, which the health widget and alarm depend on.
 *
 * @example
 * hasHealthFunction(readServiceConfig(config)); // true when `functions.health` exists
 */
export function hasHealthFunction(input: Pick<StackInput, "functions">): boolean {
  return input.functions.some((fn) => fn.key === HEALTH_FUNCTION_KEY);
}

/**
 * The logical id of the role the stack makes for a function.
 *
 * @example
 * roleIdOf({ logicalName: "GetOrder" }); // "GetOrderRole"
 */
export function roleIdOf(fn: Pick<FunctionInput, "logicalName">): string {
  return `${fn.logicalName}Role`;
}

/**
 * Turns the resolved configuration into the generators' input. It refuses what would deploy
 * something other than what it shows: a permission it cannot carry into the per-function roles,
 * an event kind it does not know, functions that would write to different namespaces.
 *
 * @example
 * const input = readServiceConfig({
 *   service: "shop", stage: "dev", region: "eu-west-1",
 *   functions: { getOrder: { events: [{ http: "GET orders/{id}" }] } },
 *   vitals: {},
 * });
 * input.functions[0]?.routes; // ["GET /orders/{id}"]
 * input.namespace; // "LambdaVitals/dev"
 */
export function readServiceConfig(config: ServiceConfig): StackInput {
  const service = nonEmpty(config.service, "service");
  const stage = nonEmpty(config.stage, "stage");
  const region = nonEmpty(config.region, "provider.region");
  const provider = record(config.provider ?? {}, "provider");
  const vitals = record(config.vitals ?? {}, "custom.vitals");
  const alarms = alarmSettings(
    record(vitals.alarms ?? {}, "custom.vitals.alarms"),
    cliParams(config.options?.param),
  );
  const objectives = objectiveSettings(vitals.objectives, cliParams(config.options?.param));
  const permissions = record(vitals.permissions ?? {}, "custom.vitals.permissions");
  const templates = record(vitals.routes ?? {}, "custom.vitals.routes");
  const ownRoles = vitals.roles ?? true;
  if (typeof ownRoles !== "boolean") throw new Error("custom.vitals.roles must be true or false");
  const grants = ownRoles ? sharedGrants(provider) : false;
  const entries = Object.entries(record(config.functions ?? {}, "functions"));
  // Two functions behind one ALB both write `GET /*` to one series: it gets one row, not two.
  const charted = new Set<string>();
  const functions = entries.map(([key, value]) => {
    const fn = record(value, `functions.${key}`);
    const statements = [
      ...functionStatements(permissions[key], key),
      ...(key === HEALTH_FUNCTION_KEY && objectives !== undefined ? [BUDGET_GRANT] : []),
    ];
    const own = routeTemplates(templates[key], key);
    const routes = functionRoutes(key, fn, own).filter((route) => !charted.has(route));
    for (const route of routes) charted.add(route);
    if (grants !== false) {
      refuseOwnRole(key, fn);
      requireEventPermissions(key, fn, provider, grants, statements);
    }
    return {
      key,
      name: typeof fn.name === "string" ? fn.name : `${service}-${stage}-${key}`,
      logicalName: logicalNameOf(key),
      routes,
      statements,
      templates: own,
    };
  });
  for (const [setting, keys] of [
    ["permissions", Object.keys(permissions)],
    ["routes", Object.keys(templates)],
  ] as const) {
    for (const key of keys) {
      if (!functions.some((fn) => fn.key === key)) {
        throw new Error(`custom.vitals.${setting}.${key}: there is no function "${key}"`);
      }
    }
  }
  const known = functions.flatMap((fn) => fn.routes);
  // DescribeAlarms takes 100 names, and the health function asks for every page pair at once
  if (
    objectives !== undefined &&
    hasHealthFunction({ functions }) &&
    pagePairCount(objectives) > DESCRIBE_ALARMS_NAMES
  ) {
    throw new Error(
      `custom.vitals.objectives.routes: ${objectives.routes.length} routes with objectives of ` +
        "their own; at most 24, so that GET /health can read every page pair's state in one " +
        "DescribeAlarms call",
    );
  }
  for (const { route } of objectives?.routes ?? []) {
    if (!known.includes(route)) {
      throw new Error(
        `custom.vitals.objectives.routes["${route}"]: no function answers that route; the ` +
          `routes are ${known.map((r) => `"${r}"`).join(", ") || "none"}`,
      );
    }
  }
  const health = functions.find((fn) => fn.key === HEALTH_FUNCTION_KEY);
  if (health !== undefined) {
    const others = functions.filter((fn) => fn !== health).map((fn) => fn.name);
    const environment = record(
      entries.find(([key]) => key === health.key)?.[1],
      "functions.health",
    ).environment;
    const problem = siblingListProblem({ key: health.key, environment }, others);
    if (problem !== undefined) throw new Error(problem);
  }
  const defaults = {
    namespace:
      vitals.namespace === undefined
        ? `${DEFAULT_NAMESPACE}/${stage}`
        : nonEmpty(vitals.namespace, "custom.vitals.namespace"),
    service,
  };
  const written = writtenIdentity(provider, entries, defaults);
  if (vitals.namespace !== undefined && written.namespace !== defaults.namespace) {
    throw new Error(
      `custom.vitals.namespace is "${defaults.namespace}", but the functions' environment sets ` +
        `${NAMESPACE_VARIABLE} to "${written.namespace}": remove one of them.`,
    );
  }
  return {
    service: written.service,
    stage,
    region,
    namespace: written.namespace,
    functions,
    thresholds: alarms.thresholds,
    objectives,
    apis: apiGateways(
      entries.map(([, fn]) => fn),
      service,
      stage,
    ),
    alarmEmail: alarms.alarmEmail,
    ticketEmail: alarms.ticketEmail,
    roles: grants,
    warnings: alarms.warnings,
  };
}

/**
 * What the health function's `service:errorBudget` check needs: the state of the burn-rate pairs,
 * which are composite alarms, and "to return information about composite alarms, you must be
 * signed on with the cloudwatch:DescribeAlarms permission that is scoped to *" (DescribeAlarms,
 * Amazon CloudWatch API Reference). DescribeAlarms only reads.
 */
/** The names DescribeAlarms takes in one call (its API reference). */
const DESCRIBE_ALARMS_NAMES = 100;

const BUDGET_GRANT: PolicyStatement = {
  Effect: "Allow",
  Action: ["cloudwatch:DescribeAlarms"],
  Resource: "*",
};

function routeTemplates(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw new Error(`custom.vitals.routes.${key} must be a list of route templates`);
  }
  return value;
}

function apiGateways(functions: unknown[], service: string, stage: string): ApiGateways {
  const events = functions.flatMap((fn) => {
    const list = (fn as { events?: unknown }).events;
    return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
  });
  const has = (kind: string) => events.some((event) => event?.[kind] !== undefined);
  return { httpApi: has("httpApi"), restApiName: has("http") ? `${stage}-${service}` : undefined };
}
