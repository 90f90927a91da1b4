/**
 * Reads the resolved `serverless.yml` (service, stage, region, provider, functions,
 * `custom.vitals`) into the one input the stack generators take. Routes, function names, the
 * namespace and the shared grants come from the service's own config, so nothing is written
 * down twice.
 */

import { DEFAULT_NAMESPACE } from "./emitted";
import {
  functionStatements,
  type PolicyStatement,
  refuseOwnRole,
  requireEventPermissions,
  type SharedGrants,
  sharedGrants,
} from "./permissions";
import { functionRoutes } from "./routes";
import { SIBLINGS_ENV, siblingListProblem } from "./siblings";

export type { PolicyStatement, SharedGrants };

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
}

export interface Thresholds {
  /** Service-wide 5xx rate, in percent, above which the error-rate alarm fires. */
  readonly errorRatePercent: number;
  /** Below this many requests a minute the error rate is not judged: one failure is not 100%. */
  readonly errorRateMinRequests: number;
  /** Service-wide p99 latency, in milliseconds. */
  readonly latencyP99Ms: number;
  /** Timeouts in five minutes that fire the timeout alarm. */
  readonly timeouts: number;
  /** `AWS/Lambda` Errors of one function in a minute (crashes, OOM, init failures) that fire its alarm. */
  readonly invocationErrors: number;
  /** `AWS/Lambda` Throttles of one function in a minute that, in 3 of 5 minutes, fire its alarm. */
  readonly throttles: number;
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
  readonly apis: ApiGateways;
  /** Empty: no SNS topic, the alarms only change state in the console. */
  readonly alarmEmail: string;
  /**
   * One role per function, carrying these service-wide grants; `false` when the service keeps
   * its own roles (`custom.vitals.roles: false`) and the stack makes none.
   */
  readonly roles: SharedGrants | false;
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
}

/** The alarm thresholds a service gets when `custom.vitals.alarms` does not set them. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  errorRatePercent: 5,
  errorRateMinRequests: 5,
  latencyP99Ms: 2000,
  timeouts: 1,
  invocationErrors: 1,
  throttles: 1,
};

/** The environment variables the wrapper reads its namespace and service from. */
export const NAMESPACE_VARIABLE = "VITALS_NAMESPACE";
export const SERVICE_VARIABLE = "VITALS_SERVICE";

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

/** The key of the function that runs the health checks on a schedule and writes `Health`. */
export const HEALTH_FUNCTION_KEY = "health";

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
  const alarms = record(vitals.alarms ?? {}, "custom.vitals.alarms");
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
    const statements = functionStatements(permissions[key], key);
    const routes = functionRoutes(key, fn, routeTemplates(templates[key], key)).filter(
      (route) => !charted.has(route),
    );
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
    thresholds: {
      errorRatePercent: threshold(alarms, "errorRatePercent"),
      errorRateMinRequests: threshold(alarms, "errorRateMinRequests"),
      latencyP99Ms: threshold(alarms, "latencyP99Ms"),
      timeouts: threshold(alarms, "timeouts"),
      invocationErrors: threshold(alarms, "invocationErrors"),
      throttles: threshold(alarms, "throttles"),
    },
    apis: apiGateways(
      entries.map(([, fn]) => fn),
      service,
      stage,
    ),
    alarmEmail: typeof alarms.email === "string" ? alarms.email.trim() : "",
    roles: grants,
  };
}

/**
 * The environment each function needs so that the wrapper writes the namespace and `Service`
 * the dashboard and alarms read, and the health function reads the `AWS/Lambda` errors of every
 * other function (`HEALTH_SIBLING_FUNCTIONS`): the variables the service does not set itself.
 *
 * @example
 * const config = { provider: {}, functions: { getOrder: {}, health: {} } };
 * vitalsEnvironment(config, { namespace: "Shop/dev", service: "shop", functions: [
 *   { key: "getOrder", name: "shop-dev-getOrder" }, { key: "health", name: "shop-dev-health" }] });
 * // { getOrder: { VITALS_NAMESPACE: "Shop/dev", VITALS_SERVICE: "shop" },
 * //   health: { VITALS_NAMESPACE: "Shop/dev", VITALS_SERVICE: "shop",
 * //             HEALTH_SIBLING_FUNCTIONS: "shop-dev-getOrder" } }
 */
export function vitalsEnvironment(
  config: Pick<ServiceConfig, "provider" | "functions">,
  input: Pick<StackInput, "namespace" | "service"> & {
    readonly functions: readonly Pick<FunctionInput, "key" | "name">[];
  },
): Record<string, Record<string, string>> {
  const shared = environmentOf(record(config.provider ?? {}, "provider"), "provider");
  const wanted = { [NAMESPACE_VARIABLE]: input.namespace, [SERVICE_VARIABLE]: input.service };
  const siblings = input.functions
    .filter((fn) => fn.key !== HEALTH_FUNCTION_KEY)
    .map((fn) => fn.name)
    .join(",");
  return Object.fromEntries(
    Object.entries(record(config.functions ?? {}, "functions")).map(([key, value]) => {
      const own = environmentOf(record(value, `functions.${key}`), `functions.${key}`);
      // A list the service writes itself is kept; readServiceConfig has checked it is exact.
      const needs = key === HEALTH_FUNCTION_KEY ? { ...wanted, [SIBLINGS_ENV]: siblings } : wanted;
      const missing = Object.entries(needs).filter(
        ([name]) => own[name] === undefined && shared[name] === undefined,
      );
      return [key, Object.fromEntries(missing)];
    }),
  );
}

/**
 * The namespace and service the functions will write: what the service's environment sets,
 * else the defaults. One dashboard reads one namespace and one service, so functions that would
 * write different ones, or an environment that contradicts `custom.vitals.namespace`, are refused.
 */
function writtenIdentity(
  provider: Record<string, unknown>,
  functions: readonly [string, unknown][],
  defaults: { namespace: string; service: string },
): { namespace: string; service: string } {
  const shared = environmentOf(provider, "provider");
  const pick = (variable: string, fallback: string, setting: string): string => {
    const values = new Map<string, string>();
    for (const [key, fn] of functions) {
      const own = environmentOf(record(fn, `functions.${key}`), `functions.${key}`);
      const value = own[variable] ?? shared[variable] ?? fallback;
      const where =
        own[variable] !== undefined ? `functions.${key}.environment` : "provider.environment";
      if (!values.has(value)) values.set(value, where);
    }
    if (values.size > 1) {
      const listed = [...values].map(([value, where]) => `"${value}" (${where})`).join(", ");
      throw new Error(
        `${variable}: the functions would write ${listed}; one dashboard reads one value. ` +
          `Set it once under provider.environment, or remove it and let ${setting} decide.`,
      );
    }
    return values.keys().next().value ?? fallback;
  };
  return {
    namespace: pick(NAMESPACE_VARIABLE, defaults.namespace, "custom.vitals.namespace"),
    service: pick(SERVICE_VARIABLE, defaults.service, "the service name"),
  };
}

function routeTemplates(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw new Error(`custom.vitals.routes.${key} must be a list of route templates`);
  }
  return value;
}

function environmentOf(owner: Record<string, unknown>, where: string): Record<string, string> {
  const environment = record(owner.environment ?? {}, `${where}.environment`);
  return Object.fromEntries(
    Object.entries(environment).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
}

function threshold(alarms: Record<string, unknown>, name: keyof Thresholds): number {
  return alarms[name] === undefined ? DEFAULT_THRESHOLDS[name] : positive(alarms[name], name);
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${where} must be a mapping`);
  }
  return value as Record<string, unknown>;
}

function nonEmpty(value: unknown, where: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new Error(`${where} must be set`);
  return value;
}

/** Parameters arrive as numbers from YAML and as strings from `--param key=value`. */
function positive(value: unknown, name: string): number {
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number) || number <= 0) {
    throw new Error(`custom.vitals.alarms.${name} must be a number > 0, got ${String(value)}`);
  }
  return number;
}

function apiGateways(functions: unknown[], service: string, stage: string): ApiGateways {
  const events = functions.flatMap((fn) => {
    const list = (fn as { events?: unknown }).events;
    return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
  });
  const has = (kind: string) => events.some((event) => event?.[kind] !== undefined);
  return { httpApi: has("httpApi"), restApiName: has("http") ? `${stage}-${service}` : undefined };
}
