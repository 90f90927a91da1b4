/**
 * The health function's own checks: a scheduled run writes `Health` and one `HealthCheck` line per
 * check, and /health answers `application/health+json` with 200 for pass or warn and 503 for fail.
 */
import { short } from "./findings.mjs";

/**
 * The metric names an EMF document declares.
 *
 * @example
 * metricNames(doc).has("HealthCheck"); // true for a health check's line
 */
export function metricNames(doc) {
  const names = new Set();
  for (const d of doc._aws?.CloudWatchMetrics ?? []) {
    for (const m of d.Metrics ?? []) names.add(m.Name);
  }
  return names;
}

/**
 * A scheduled health run: `Health` and `HealthCheck` metrics, one line per check. Records the
 * number of checks on the invocation (`inv.healthChecks`) so that runs can be compared.
 *
 * @example
 * checkHealthSchedule(findings, "JSON health", inv, linesOfThisInvocation);
 */
export function checkHealthSchedule(findings, where, inv, lines) {
  const name = `${inv.spec.name} (${inv.id})`;
  const names = new Set(lines.flatMap((d) => [...metricNames(d)]));
  if (!names.has("Health"))
    findings.violation(where, "scheduled run wrote no Health metric", `event: ${name}`);
  if (!names.has("HealthCheck")) {
    findings.violation(where, "scheduled run wrote no HealthCheck metric", `event: ${name}`);
  }
  // One line per check: a check twice means another invocation's line carries this id.
  const checks = lines.filter((d) => metricNames(d).has("HealthCheck")).map((d) => d.Check);
  if (new Set(checks).size !== checks.length) {
    findings.violation(
      where,
      "a check's HealthCheck line appears twice",
      `event: ${name}: ${checks.join(", ")}`,
    );
  }
  inv.healthChecks = checks.length;
}

/**
 * A /health answer: health+json, and its status code follows its verdict. Records
 * `inv.health` ({ status, verdict, ms }) for the report.
 *
 * @example
 * checkHealthInvocation(findings, "JSON health", inv, JSON.parse(inv.body));
 */
export function checkHealthInvocation(findings, where, inv, result) {
  const { spec } = inv;
  const name = `${spec.name} (${inv.id})`;
  if (!spec.healthPath) return;
  const status = result?.statusCode;
  let body;
  try {
    body = JSON.parse(result.body);
  } catch {
    findings.violation(
      where,
      "health body is not JSON",
      `event: ${name}\n${short(String(result?.body), 300)}`,
    );
    return;
  }
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const multi = Object.fromEntries(
    Object.entries(result.multiValueHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), v?.[0]]),
  );
  const type = headers["content-type"] ?? multi["content-type"];
  if (!/^application\/health\+json/.test(String(type))) {
    findings.violation(where, `health content-type ${JSON.stringify(type)}`, `event: ${name}`);
  }
  const want =
    body.status === "fail"
      ? 503
      : body.status === "pass" || body.status === "warn"
        ? 200
        : undefined;
  if (want === undefined)
    findings.violation(where, `health status ${JSON.stringify(body.status)}`, `event: ${name}`);
  else if (status !== want)
    findings.violation(where, `health status ${body.status} answered ${status}`, `event: ${name}`);
  inv.health = { status, verdict: body.status, ms: inv.doneAt - inv.issuedAt };
}
