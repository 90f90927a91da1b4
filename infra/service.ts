/**
 * Reads the resolved `serverless.yml` (service, stage, region, functions, `custom.vitals`) into
 * the one input the stack generators take. Routes and function names come from the functions'
 * own config, so nothing here is written down twice.
 */

/** An IAM statement a function needs beyond writing its own logs. */
export interface PolicyStatement {
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** The statement keys a permission may use; anything else (Deny, NotAction...) is refused. */
const STATEMENT_KEYS: ReadonlySet<string> = new Set(["Effect", "Action", "Resource", "Condition"]);

export interface FunctionInput {
  /** The key under `functions:` (`getOrder`). */
  readonly key: string;
  /** The deployed function name (`lambda-vitals-prod-getOrder`). */
  readonly name: string;
  /** The name Serverless builds logical ids from (`GetOrder` → `GetOrderLogGroup`). */
  readonly logicalName: string;
  /** HTTP API route keys, exactly as the wrapper writes them in the `Route` dimension. */
  readonly routes: readonly string[];
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
}

import { siblingListProblem } from "./siblings";

/** The parts of the resolved `serverless.yml` the generators read. */
export interface ServiceConfig {
  readonly service: unknown;
  readonly stage: unknown;
  readonly region: unknown;
  readonly functions: unknown;
  readonly vitals: unknown;
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

/** The logical id of the role the stack makes for a function; `serverless.yml` names it in `role:`. */
export function roleIdOf(fn: Pick<FunctionInput, "logicalName">): string {
  return `${fn.logicalName}Role`;
}

/**
 * Turns the resolved configuration into the generators' input, and refuses one that would deploy
 * something other than what the dashboard shows: a function without its own role falls back to
 * Serverless' shared role, so that is an error here rather than a silent widening of rights.
 *
 * @example
 * const input = readServiceConfig({
 *   service: "shop", stage: "dev", region: "eu-west-1",
 *   functions: { getOrder: { role: "GetOrderRole", events: [{ httpApi: "GET /orders/{id}" }] } },
 *   vitals: { namespace: "Shop/dev", alarms: { errorRatePercent: 5, errorRateMinRequests: 5,
 *     latencyP99Ms: 1000, timeouts: 1, email: "" } },
 * });
 * input.functions[0]?.routes; // ["GET /orders/{id}"]
 */
export function readServiceConfig(config: ServiceConfig): StackInput {
  const service = nonEmpty(config.service, "service");
  const stage = nonEmpty(config.stage, "stage");
  const region = nonEmpty(config.region, "provider.region");
  const vitals = record(config.vitals, "custom.vitals");
  const alarms = record(vitals.alarms, "custom.vitals.alarms");
  const permissions = record(vitals.permissions ?? {}, "custom.vitals.permissions");
  const functions = Object.entries(record(config.functions, "functions")).map(([key, value]) =>
    readFunction(key, record(value, `functions.${key}`), service, stage, permissions[key]),
  );
  const health = functions.find((fn) => fn.key === HEALTH_FUNCTION_KEY);
  if (health !== undefined) {
    const others = functions.filter((fn) => fn !== health).map((fn) => fn.name);
    const environment = record(config.functions, "functions")[health.key];
    const problem = siblingListProblem(
      { key: health.key, environment: (environment as { environment?: unknown }).environment },
      others,
    );
    if (problem !== undefined) throw new Error(problem);
  }
  for (const key of Object.keys(permissions)) {
    if (!functions.some((fn) => fn.key === key)) {
      throw new Error(`custom.vitals.permissions.${key}: there is no function "${key}"`);
    }
  }
  return {
    service,
    stage,
    region,
    namespace: nonEmpty(vitals.namespace, "custom.vitals.namespace"),
    functions,
    thresholds: {
      errorRatePercent: positive(alarms.errorRatePercent, "errorRatePercent"),
      errorRateMinRequests: positive(alarms.errorRateMinRequests, "errorRateMinRequests"),
      latencyP99Ms: positive(alarms.latencyP99Ms, "latencyP99Ms"),
      timeouts: positive(alarms.timeouts, "timeouts"),
      // Optional, so that a service config written before these alarms existed still deploys.
      invocationErrors: positive(alarms.invocationErrors ?? 1, "invocationErrors"),
      throttles: positive(alarms.throttles ?? 1, "throttles"),
    },
    apis: apiGateways(Object.values(record(config.functions, "functions")), service, stage),
    alarmEmail: typeof alarms.email === "string" ? alarms.email.trim() : "",
  };
}

function apiGateways(functions: unknown[], service: string, stage: string): ApiGateways {
  const events = functions.flatMap((fn) => {
    const list = (fn as { events?: unknown }).events;
    return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
  });
  const has = (kind: string) => events.some((event) => event?.[kind] !== undefined);
  return { httpApi: has("httpApi"), restApiName: has("http") ? `${stage}-${service}` : undefined };
}

function readFunction(
  key: string,
  fn: Record<string, unknown>,
  service: string,
  stage: string,
  permissions: unknown,
): FunctionInput {
  const logicalName = logicalNameOf(key);
  const role = roleIdOf({ logicalName });
  if (fn.role !== role) {
    throw new Error(
      `functions.${key}: set "role: ${role}" (lambda-vitals makes one least-privilege role per function)`,
    );
  }
  const events = Array.isArray(fn.events) ? fn.events : [];
  return {
    key,
    name: typeof fn.name === "string" ? fn.name : `${service}-${stage}-${key}`,
    logicalName,
    routes: events.flatMap((event) => routeKeyOf(record(event, `functions.${key}.events[]`))),
    statements: readStatements(permissions, key),
  };
}

/** The HTTP API route key of an `httpApi` event; a catch-all has no template to chart. */
function routeKeyOf(event: Record<string, unknown>): string[] {
  const http = event.httpApi;
  if (http === undefined) return [];
  if (typeof http === "string") return http.trim() === "*" ? [] : [normalizeRoute(http)];
  const { method, path } = record(http, "httpApi");
  if (typeof path !== "string" || path === "*") return [];
  return [normalizeRoute(`${typeof method === "string" ? method : "*"} ${path}`)];
}

function normalizeRoute(route: string): string {
  const [method = "", path = ""] = route.trim().split(/\s+/);
  return `${method === "*" ? "ANY" : method.toUpperCase()} ${path}`;
}

function readStatements(value: unknown, key: string): PolicyStatement[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`custom.vitals.permissions.${key} must be a list`);
  return value.map((item, index) => {
    const where = `custom.vitals.permissions.${key}[${index}]`;
    const statement = record(item, where);
    // Refused rather than rewritten: a Deny or NotResource silently turned into an Allow would
    // widen a role, the opposite of what was written.
    for (const name of Object.keys(statement)) {
      if (!STATEMENT_KEYS.has(name)) throw new Error(`${where}: "${name}" is not supported here`);
    }
    if (statement.Effect !== undefined && statement.Effect !== "Allow") {
      throw new Error(`${where}: only Effect "Allow" is supported (roles allow nothing else)`);
    }
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    for (const action of actions) {
      if (typeof action !== "string" || !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action)) {
        throw new Error(`${where}: "${action}" is not one exact action (no wildcards)`);
      }
    }
    if (statement.Resource === undefined) throw new Error(`${where}: Resource is required`);
    const allow = {
      Effect: "Allow",
      Action: actions as string[],
      Resource: statement.Resource,
    } as const;
    return statement.Condition === undefined ? allow : { ...allow, Condition: statement.Condition };
  });
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
