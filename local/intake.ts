/**
 * Where every line the functions print under `npm start` goes: EMF documents into the metric
 * store (read with CloudWatch's rules), canonical lines into the invocation log, and everything
 * else on to the terminal untouched. Nothing a handler prints can stop it; what it cannot use is
 * counted, with the reason.
 */
import { DROPPED_METRIC_DATA } from "../functions/vitals/contract";
import { createInvocationLog, type Invocation, invocationOf } from "./invocations";
import type { SplitLine } from "./line-splitter";
import type { MetricStore } from "./metric-store";

/** What one line turned out to be, for the terminal to show. */
export type Intake =
  | { readonly kind: "invocation"; readonly invocation: Invocation; readonly raw: string }
  | { readonly kind: "metrics"; readonly raw: string; readonly warning?: string }
  | {
      readonly kind: "rejected";
      readonly reason: string;
      readonly count: number;
      readonly raw: string;
    }
  | { readonly kind: "other"; readonly raw: string };

/** The counts the page shows beside the charts. */
export interface IntakeCounts {
  readonly emfAccepted: number;
  readonly emfRejected: number;
  readonly otherLines: number;
  readonly invocations: number;
  /** The latest rejections, newest last, with a clipped copy of the line. */
  readonly rejections: readonly {
    readonly time: number;
    readonly reason: string;
    readonly line: string;
  }[];
}

/** How many rejections and invocations a session keeps for the page. */
const KEPT_REJECTIONS = 50;
const KEPT_INVOCATIONS = 500;
const CLIPPED_LINE = 300;

/**
 * Creates the intake for one `npm start` session, around its store.
 *
 * @example
 * const intake = createIntake(createMetricStore(), Date.now);
 * const result = intake.read({ kind: "line", text: emfLine });
 * if (result.kind === "invocation") print(formatInvocation(result.invocation, PLAIN));
 */
export function createIntake(
  store: MetricStore,
  now: () => number,
): {
  readonly read: (line: SplitLine) => Intake;
  readonly counts: () => IntakeCounts;
  readonly invocations: () => readonly Invocation[];
} {
  const log = createInvocationLog(KEPT_INVOCATIONS);
  const rejections: { time: number; reason: string; line: string }[] = [];
  let rejected = 0;
  let other = 0;

  const reject = (reason: string, line: string): Intake => {
    rejected += 1;
    rejections.push({ time: now(), reason, line: line.slice(0, CLIPPED_LINE) });
    if (rejections.length > KEPT_REJECTIONS) rejections.shift();
    return { kind: "rejected", reason, count: rejected, raw: line };
  };

  const read = (line: SplitLine): Intake => {
    if (line.kind === "oversized") {
      if (!looksLikeEmf(line.head)) {
        other += 1;
        return { kind: "other", raw: `${line.head}… (${line.bytes} bytes, cut)` };
      }
      return reject(`the log event is over 1 MB (${line.bytes} bytes)`, `${line.head}…`);
    }
    if (!looksLikeEmf(line.text)) {
      other += 1;
      return { kind: "other", raw: line.text };
    }
    const result = store.ingestLine(line.text, now());
    if (!result.accepted) return reject(result.reason, line.text);
    // Accepted means it parsed as a JSON object, so this cannot throw.
    const document = JSON.parse(line.text) as Record<string, unknown>;
    const invocation = invocationOf(document);
    if (invocation !== undefined) {
      log.add(invocation);
      return { kind: "invocation", invocation, raw: line.text };
    }
    const dropped = document[DROPPED_METRIC_DATA.name];
    return typeof dropped === "number"
      ? { kind: "metrics", raw: line.text, warning: `${warningOf(document)}` }
      : { kind: "metrics", raw: line.text };
  };

  return {
    read,
    counts: () => ({
      emfAccepted: store.acceptedLines(),
      emfRejected: rejected,
      otherLines: other,
      invocations: log.total(),
      rejections: [...rejections],
    }),
    invocations: log.latest,
  };
}

/**
 * A line CloudWatch would try to read as EMF: a JSON object that names `_aws`. Anything else is
 * an ordinary log line to CloudWatch too.
 */
function looksLikeEmf(text: string): boolean {
  return text.trimStart().startsWith("{") && text.includes('"_aws"');
}

function warningOf(document: Record<string, unknown>): string {
  const message = typeof document.message === "string" ? document.message : "dropped metric data";
  const problems = Array.isArray(document.problems)
    ? document.problems.filter((p): p is string => typeof p === "string").slice(0, 3)
    : [];
  return problems.length === 0 ? message : `${message}: ${problems.join("; ")}`;
}
