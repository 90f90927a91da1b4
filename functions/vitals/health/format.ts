/**
 * The response, in the format of the IETF draft "Health Check Response Format for HTTP APIs"
 * (draft-inadarei-api-health-check): pure functions from a report to a body and an HTTP result.
 */
import type { CheckResult, HealthReport, HealthStatus } from "./checks";

export const HEALTH_CONTENT_TYPE = "application/health+json";

/** Who is answering: the draft's service-level fields. */
export interface ServiceInfo {
  /** Public version of the service. */
  readonly version: string;
  /** What is deployed: a commit, a build number, a Lambda version. */
  readonly releaseId: string;
  readonly serviceId: string;
  readonly description: string;
}

export interface CheckEntry {
  readonly status: HealthStatus;
  readonly observedValue?: number | string | boolean | null;
  readonly observedUnit?: string;
  readonly time: string;
  readonly output?: string;
}

/** What anyone may read: the draft's one required field. */
export interface PublicHealthBody {
  readonly status: HealthStatus;
}

export interface HealthBody extends ServiceInfo, PublicHealthBody {
  readonly checks?: Readonly<Record<string, readonly CheckEntry[]>>;
}

export interface HealthHttpResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** ALB targets: the status line, and the headers again when multi-value headers are on. */
  readonly statusDescription?: string;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly isBase64Encoded?: boolean;
}

/**
 * The draft's body: overall status, service fields and one entry per check under its
 * `component:measurement` key. Only the draft's fields are copied, so nothing a check keeps for
 * the log (`detail`, `durationMs`) can reach the caller.
 *
 * @example
 * healthBody({ status: "warn", results }, info).checks["service:errorRate"][0].status; // "warn"
 */
export function healthBody(report: HealthReport | undefined, info: ServiceInfo): HealthBody {
  const service = {
    version: info.version,
    releaseId: info.releaseId,
    serviceId: info.serviceId,
    description: info.description,
  };
  if (report === undefined) return { status: "pass", ...service };
  // The draft allows several entries per key (one per node); a check here yields one.
  const checks = Object.fromEntries(report.results.map((r) => [r.name, [entry(r)]]));
  return { status: report.status, ...service, checks };
}

/**
 * The public body: the status only. The draft makes every other field optional, and a probe or a
 * load balancer needs nothing else; the rest tells a stranger what runs, how it is doing and
 * which function fails (docs/health.md).
 *
 * @example
 * publicHealthBody({ status: "fail", results }); // { status: "fail" }
 */
export function publicHealthBody(report: Pick<HealthReport, "status">): PublicHealthBody {
  return { status: report.status };
}

/**
 * The HTTP result: `pass` and `warn` answer 200, `fail` 503, never cached by anyone on the way,
 * since a cached "pass" would hide an outage.
 *
 * @example
 * healthResult(healthBody(report, info)).statusCode; // 503 when report.status is "fail"
 */
export function healthResult(body: HealthBody | PublicHealthBody): HealthHttpResult {
  return {
    statusCode: body.status === "fail" ? 503 : 200,
    headers: { "content-type": HEALTH_CONTENT_TYPE, "cache-control": "no-store" },
    body: JSON.stringify(body),
  };
}

function entry(result: CheckResult): CheckEntry {
  return {
    status: result.status,
    ...("observedValue" in result ? { observedValue: result.observedValue } : {}),
    ...(result.observedUnit !== undefined ? { observedUnit: result.observedUnit } : {}),
    time: result.time,
    ...(result.output !== undefined ? { output: result.output } : {}),
  };
}
