/**
 * The checks on one session's record: every stdout line is either valid EMF carrying its own
 * invocation's request id and trace root, or a line the RIC wrote itself; each invocation has
 * exactly one canonical line (`Requests`) and at most one warning line; answers come by the
 * deadline with a valid status, the line agrees with it, and 5xx bodies hold only `message` and
 * `requestId`; no output holds a credential; the runtime does not exit on its own. Each failure is
 * a violation in `findings`; what passes is counted in `stats` for the report.
 */

import { short } from "./findings.mjs";
import { checkHealthInvocation, checkHealthSchedule, metricNames } from "./health-checks.mjs";
import { SECRETS } from "./settings.mjs";

const RIC_TEXT = /^\d{4}-\d\d-\d\dT[\d:.]+Z\t[^\t]*\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t/;

function classify(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    return { kind: RIC_TEXT.test(text) ? "ric" : "unattributed" };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    return { kind: "unattributed" };
  if (doc._aws !== undefined) return { kind: "emf", doc };
  if (typeof doc.timestamp === "string" && typeof doc.level === "string" && "requestId" in doc) {
    return { kind: "ric", doc };
  }
  return { kind: "unattributed", doc };
}

/**
 * Checks one session's record; `F` holds `emfProblems` (test/fixtures/emf-spec.ts), `ricSamples`
 * collects a few of the RIC's own lines per log format for the report.
 *
 * @example
 * const stats = newStats();
 * checkSession(session, fixtures, stats, ricSamples, findings);
 * stats.canonical; // canonical lines seen; findings.violations holds what was wrong
 */
export function checkSession(session, F, stats, ricSamples, findings) {
  const { fn, format } = session;
  const where = `${session.concurrent ? "MI" : format} ${fn.key}${session.label ? ` [${session.label}]` : ""}`;
  stats.invocations += session.invocations.length;
  stats.stderr += session.stderr.length;
  const linesFor = checkStdout(session, where, F, stats, ricSamples, findings);
  checkProcess(session, where, stats, findings);
  const isHealth = fn.health === true;
  for (const inv of session.invocations) {
    checkInvocation(inv, linesFor.get(inv.id), { where, isHealth, stats, findings });
  }
  const checkCounts = new Set(
    session.invocations.filter((i) => i.healthChecks !== undefined).map((i) => i.healthChecks),
  );
  if (checkCounts.size > 1) {
    findings.violation(
      where,
      "schedule events wrote different numbers of HealthCheck lines",
      [...checkCounts].join(", "),
    );
  }
}

/**
 * Every stdout line: a line the RIC wrote itself (counted, sampled; ours must not go through
 * console.*), or valid EMF with the issued request id, written during its own invocation and
 * carrying no other invocation's ids. Returns each invocation's EMF documents.
 */
function checkStdout(session, where, F, stats, ricSamples, findings) {
  const { format } = session;
  const byId = new Map(session.invocations.map((i) => [i.id, i]));
  // Every id and trace root the fake Runtime API issued: a line may carry only its own.
  const byRoot = new Map(
    session.invocations.filter((i) => i.spec.trace).map((i) => [i.spec.trace.root, i]),
  );
  const linesFor = new Map(session.invocations.map((i) => [i.id, []]));
  for (const line of session.stdout) {
    const c = classify(line.text);
    if (SECRETS.some((s) => line.text.includes(s))) {
      findings.violation(where, "a stdout line contains a credential", short(line.text));
    }
    if (c.kind === "ric") {
      stats.ric += 1;
      const key = `${format}:${line.text
        .replace(
          /\d{4}-\d\d-\d\dT[\d:.]+Z|[0-9a-f]{8}-[0-9a-f-]{27}|\/tmp\/[^/]+|\(node:\d+\)/g,
          "",
        )
        .slice(0, 120)}`;
      const sampled = [...ricSamples.keys()].filter((k) => k.startsWith(`${format}:`)).length;
      if (!ricSamples.has(key) && sampled < 8) ricSamples.set(key, short(line.text, 300));
      // Our messages say "lambda-vitals"; file paths in stack traces (the RIC cache) do not count.
      if (/lambda-vitals/.test(line.text.replace(/[\w.-]*\/[\w./-]+/g, ""))) {
        findings.violation(
          where,
          "our code logged through console.* (RIC-formatted line)",
          short(line.text),
        );
      }
      continue;
    }
    if (c.kind === "unattributed") {
      stats.unattributed += 1;
      findings.violation(
        where,
        "stdout line without _aws that the RIC did not write",
        short(line.text),
      );
      continue;
    }
    stats.emf += 1;
    const problems = F.emfProblems(line.text);
    if (problems.length > 0) {
      stats.invalid += 1;
      const inv = byId.get(line.owner);
      findings.violation(
        where,
        `invalid EMF: ${problems.join("; ")}`,
        `event: ${inv?.spec.name ?? line.owner}\nline: ${short(line.text)}`,
      );
    }
    const rid = c.doc.requestId;
    if (!byId.has(rid)) {
      findings.violation(
        where,
        "EMF line without the issued request id",
        `owner: ${byId.get(line.owner)?.spec.name ?? line.owner}\nline: ${short(line.text)}`,
      );
      continue;
    }
    checkForeignIds(findings, where, line.text, byId.get(rid), byId, byRoot, c.doc);
    if (!session.concurrent && line.owner !== rid) {
      findings.violation(
        where,
        `EMF line for ${byId.get(rid).spec.name} written during another invocation (${byId.get(line.owner)?.spec.name ?? line.owner})`,
        short(line.text),
      );
    }
    linesFor.get(rid).push(c.doc);
  }
  return linesFor;
}

/** The process: no credential on stderr, no init error, no stray Runtime API call, no crash. */
function checkProcess(session, where, stats, findings) {
  for (const line of session.stderr) {
    if (SECRETS.some((s) => line.text.includes(s))) {
      findings.violation(where, "a stderr line contains a credential", short(line.text));
    }
  }
  for (const body of session.initErrors)
    findings.violation(where, "init error posted", short(body));
  for (const stray of session.strayPosts) {
    findings.violation(
      where,
      `unexpected Runtime API call ${stray.kind} for ${stray.id}`,
      stray.body,
    );
  }
  for (const exit of session.exits) {
    // A payload that is not JSON (Lambda's Invoke API refuses those) makes the RIC exit: expected.
    if (!exit.byHarness && !exit.during?.spec.ricLevel) {
      stats.crashes += 1;
      findings.violation(
        where,
        `runtime process exited on its own (code ${exit.code}, signal ${exit.signal})`,
        session.stderr
          .slice(-5)
          .map((l) => l.text)
          .join("\n"),
      );
    }
  }
}

/**
 * One invocation: its canonical line and warning lines, cold start, trace id, Route, timeout, and
 * its answer (by the deadline, a valid status that the line agrees with, a bare 5xx body).
 */
function checkInvocation(inv, lines, { where, isHealth, stats, findings }) {
  const { spec } = inv;
  const name = `${spec.name} (${inv.id})`;
  stats[inv.outcome === "response" ? "responses" : inv.outcome === "error" ? "errors" : "killed"] +=
    1;
  const canonical = lines.filter((d) => "Requests" in d);
  const others = lines.filter((d) => !("Requests" in d));
  const health = others.filter(
    (d) => metricNames(d).has("Health") || metricNames(d).has("HealthCheck"),
  );
  const warnings = others.filter((d) => !health.includes(d));
  stats.canonical += canonical.length;
  stats.warnings += warnings.length;
  stats.healthLines += health.length;
  if (spec.ricLevel) {
    // The RIC may fail before the handler runs: no line is required, none may be wrong.
    stats.ricLevel.push(
      `${spec.name}: ${inv.outcome}${inv.body ? ` ${short(inv.body, 200)}` : ""}`,
    );
    if (canonical.length > 1)
      findings.violation(where, `${canonical.length} canonical lines`, name);
    return;
  }
  if (canonical.length !== 1) {
    findings.violation(
      where,
      `${canonical.length} canonical lines (expected 1)`,
      `event: ${name}, outcome ${inv.outcome}`,
    );
  }
  if (warnings.length > 1) {
    findings.violation(
      where,
      `${warnings.length} extra EMF lines (at most one warning line)`,
      `event: ${name}\n${warnings.map((d) => short(JSON.stringify(d))).join("\n")}`,
    );
  }
  if (inv.outcome === "crashed")
    findings.violation(where, "process died during the invocation", name);
  const line = canonical[0];
  if (line !== undefined) {
    const cold = line.ColdStart === 1;
    if (cold !== inv.firstOfChild) {
      findings.violation(
        where,
        `ColdStart ${cold ? "on" : "missing on"} ${inv.firstOfChild ? "the first" : "a warm"} invocation`,
        `event: ${name}`,
      );
    }
    const want = spec.trace?.root;
    if (line.traceId !== want) {
      findings.violation(
        where,
        "canonical line's traceId is not the invocation's trace root",
        `event: ${name}: traceId ${JSON.stringify(line.traceId)}, expected ${JSON.stringify(want)}`,
      );
    }
    if (spec.token !== undefined && JSON.stringify(line.Route ?? "").includes(spec.token)) {
      findings.violation(
        where,
        "Route dimension holds the raw path",
        `event: ${name}\nRoute: ${short(String(line.Route), 200)}`,
      );
    }
    if (inv.outcome === "killed" && line.Timeouts !== 1) {
      findings.violation(
        where,
        "killed at the deadline but the line has no Timeouts",
        `event: ${name}`,
      );
    }
  } else if (inv.outcome === "killed") {
    findings.violation(
      where,
      "killed at the deadline with no line written before it",
      `event: ${name}`,
    );
  }

  if (isHealth && spec.kind === "schedule") checkHealthSchedule(findings, where, inv, lines);
  else if (health.length > 0) {
    // Only the schedule writes HealthCheck lines: one here carries an id that is not its own.
    findings.violation(
      where,
      "HealthCheck lines on an invocation that is not a schedule event",
      `event: ${name}: ${health.length} lines\n${short(JSON.stringify(health[0]))}`,
    );
  }
  if (inv.outcome === "killed") {
    findings.violation(
      where,
      "no answer by the deadline (the harness killed the runtime, as Lambda would)",
      `event: ${name}, deadline +${inv.deadline - inv.issuedAt} ms`,
    );
    return;
  }
  if (spec.http && inv.outcome !== "response") {
    findings.violation(
      where,
      `HTTP event answered with ${inv.outcome}`,
      `event: ${name}\nbody: ${short(inv.body ?? "")}`,
    );
    return;
  }
  const realDeadline = spec.deadlineOffset === undefined || spec.deadlineOffset > 300;
  if (inv.outcome === "response" && inv.doneAt > inv.deadline && realDeadline) {
    findings.violation(where, `answered ${inv.doneAt - inv.deadline} ms after the deadline`, name);
  }
  if (SECRETS.some((s) => (inv.body ?? "").includes(s))) {
    findings.violation(
      where,
      "the response contains a credential",
      `event: ${name}\n${short(inv.body)}`,
    );
  }
  if (inv.outcome !== "response") return;
  let result;
  try {
    result = JSON.parse(inv.body);
  } catch {
    findings.violation(where, "response is not JSON", `event: ${name}\n${short(inv.body)}`);
    return;
  }
  const status = result?.statusCode;
  if (line?.Timeouts === 1) {
    // The wrapper wrote the timeout line before the deadline, and the handler then finished
    // after it: Lambda would have stopped the environment and dropped this late answer, so the
    // line, not the answer, is what the caller's metrics show. Answering before the deadline
    // would mean the timeout was written too early.
    if (inv.doneAt < inv.deadline) {
      findings.violation(
        where,
        "timeout written, but answered before the deadline",
        `event: ${name}`,
      );
    }
    stats.lateAfterTimeout = (stats.lateAfterTimeout ?? 0) + 1;
    return;
  }
  if (!spec.http) {
    stats.statuses.push(`${spec.name}: ${status ?? "no statusCode"}`);
  }
  if (spec.http || typeof status === "number") {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      findings.violation(where, `invalid statusCode ${JSON.stringify(status)}`, `event: ${name}`);
      return;
    }
    if (spec.expect !== undefined && status !== spec.expect) {
      findings.violation(
        where,
        `status ${status}, expected ${spec.expect}`,
        `event: ${name}\nbody: ${short(String(result.body ?? ""), 300)}`,
      );
    }
    if (line !== undefined && spec.http && line.status !== status) {
      findings.violation(
        where,
        `line status ${line.status} but response ${status}`,
        `event: ${name}`,
      );
    }
    if (line !== undefined && spec.http) {
      const wantErrors = status >= 500 ? 1 : 0;
      const wantClient = status >= 400 && status < 500 ? 1 : 0;
      if (line.Errors !== wantErrors || line.ClientErrors !== wantClient) {
        findings.violation(
          where,
          `Errors=${line.Errors} ClientErrors=${line.ClientErrors} for status ${status}`,
          `event: ${name}`,
        );
      }
    }
    if (status >= 500 && !(isHealth && status === 503)) {
      let body;
      try {
        body = JSON.parse(result.body);
      } catch {
        body = undefined;
      }
      const keys = body && typeof body === "object" ? Object.keys(body).sort().join(",") : "";
      if (keys !== "message,requestId" || body.requestId !== inv.id) {
        findings.violation(
          where,
          "5xx body is not exactly {message, requestId} with the issued id",
          `event: ${name}\nbody: ${short(String(result.body), 300)}`,
        );
      }
    }
  }
  if (isHealth) checkHealthInvocation(findings, where, inv, result);
}

const ID_LIKE =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|1-[0-9a-f]{8}-[0-9a-f]{24}/g;

/**
 * No EMF line may carry another invocation's request id or trace root, anywhere in it; a `traceId`
 * field, on any line, is its own invocation's root.
 */
function checkForeignIds(findings, where, text, inv, byId, byRoot, doc) {
  const own = new Set([inv.id, inv.spec.trace?.root]);
  for (const [found] of text.matchAll(ID_LIKE)) {
    const other = byId.get(found) ?? byRoot.get(found);
    if (other !== undefined && !own.has(found)) {
      findings.violation(
        where,
        `an EMF line carries another invocation's ${byId.has(found) ? "request id" : "trace root"}`,
        `event: ${inv.spec.name}, requestId ${inv.id} (trace ${inv.spec.trace?.root}); found ${found}, issued to ${other.spec.name} (${other.id})\nline: ${short(text)}`,
      );
    }
  }
  // The canonical line's traceId is checked with the rest of it (checkSession).
  if (!("Requests" in doc) && "traceId" in doc && doc.traceId !== inv.spec.trace?.root) {
    findings.violation(
      where,
      "an extra EMF line's traceId is not its invocation's trace root",
      `event: ${inv.spec.name} (${inv.id}): traceId ${JSON.stringify(doc.traceId)}, expected ${JSON.stringify(inv.spec.trace?.root)}\nline: ${short(text)}`,
    );
  }
}
