/**
 * What `npm start` prints instead of raw EMF JSON: one short line per invocation, errors with
 * their type and message, timeouts that stand out, and a line for each document CloudWatch would
 * reject. Pure functions of their input; the launcher writes them.
 */
import type { Invocation } from "./invocations";
import type { OfflineTimeout } from "./offline-requests";

/** ANSI styling, or none: off when stdout is not a terminal or `NO_COLOR` is set. */
export interface Style {
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly alarm: (text: string) => string;
}

const sgr = (open: string, close: string) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;

export const COLOR: Style = {
  red: sgr("31", "39"),
  yellow: sgr("33", "39"),
  dim: sgr("2", "22"),
  alarm: sgr("1;37;41", "0"),
};

export const PLAIN: Style = { red: same, yellow: same, dim: same, alarm: same };

// C0, DEL and C1: every code point a terminal may act on instead of printing.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

/** How much of an error message fits on the terminal line; the page shows the whole of it. */
const MESSAGE_CHARS = 160;

/**
 * One invocation as one line: route, status, latency, cold start, the request id's first block,
 * then the error. A timeout starts with a highlighted TIMEOUT.
 *
 * @example
 * formatInvocation(invocation, PLAIN); // "GET /orders/{id}  200  1.1 ms  cold  8235bba3"
 */
export function formatInvocation(invocation: Invocation, style: Style): string {
  const status = invocation.status === undefined ? "-" : String(invocation.status);
  const painted =
    invocation.status === undefined
      ? status
      : invocation.status >= 500
        ? style.red(status)
        : invocation.status >= 400
          ? style.yellow(status)
          : status;
  const parts = [
    ...(invocation.timeout ? [style.alarm(" TIMEOUT ")] : []),
    oneLine(invocation.route),
    painted,
    `${formatMs(invocation.latencyMs)} ms`,
    ...(invocation.coldStart ? ["cold"] : []),
    style.dim(oneLine(invocation.requestId.split("-")[0] ?? invocation.requestId)),
  ];
  const error = errorOf(invocation);
  if (error !== undefined) {
    parts.push(
      invocation.status !== undefined && invocation.status < 500 ? error : style.red(error),
    );
  }
  return parts.join("  ");
}

/**
 * A line for a document CloudWatch would reject, with the reason and the running count.
 *
 * @example
 * formatRejection("not JSON", 3, PLAIN); // "✗ EMF line rejected (3 so far): not JSON"
 */
export function formatRejection(reason: string, count: number, style: Style): string {
  return style.red(`✗ EMF line rejected (${count} so far): ${oneLine(reason)}`);
}

/**
 * serverless-offline's own timeout, which answers 504 with no line of the wrapper's when its timer
 * fires first: the request it ended and why that is not what Lambda would do. After a line of the
 * wrapper's with `Timeouts: 1`, only that serverless-offline answered 504.
 *
 * @example
 * formatOfflineTimeout({ request, timeoutSeconds: 6, wrapperWroteLine: false }, PLAIN);
 * // " TIMEOUT   GET /slow  504  serverless-offline's 6 s timer for slow fired before ..."
 */
export function formatOfflineTimeout(timeout: OfflineTimeout, style: Style): string {
  const { request } = timeout;
  const what =
    request === undefined ? "a request" : `${oneLine(request.method)} ${oneLine(request.path)}`;
  if (timeout.wrapperWroteLine) {
    return style.dim(`${what}  504  (serverless-offline's answer after the timeout above)`);
  }
  const seconds = timeout.timeoutSeconds === undefined ? "" : `${timeout.timeoutSeconds} s `;
  const of = request === undefined ? "" : ` for ${oneLine(request.functionKey)}`;
  return [
    style.alarm(" TIMEOUT "),
    what,
    style.red("504"),
    `serverless-offline's ${seconds}timer${of} fired before the handler wrote a line.` +
      " In a cold worker that timer also counts the module's load, which Lambda's does not:" +
      " give the function more `timeout`, or set custom.serverless-offline.noTimeout",
  ].join("  ");
}

/**
 * Latency as the terminal shows it: one decimal below 100 ms, whole milliseconds above.
 *
 * @example
 * formatMs(1.14); // "1.1"
 * formatMs(1234.5); // "1235"
 */
export function formatMs(ms: number): string {
  return ms < 100 ? ms.toFixed(1) : String(Math.round(ms));
}

function errorOf(invocation: Invocation): string | undefined {
  if (invocation.errorType === undefined && invocation.errorMessage === undefined) return undefined;
  const message = oneLine(invocation.errorMessage ?? "");
  const clipped = message.length > MESSAGE_CHARS ? `${message.slice(0, MESSAGE_CHARS)}…` : message;
  return `${oneLine(invocation.errorType ?? "Error")}: ${clipped}`;
}

/**
 * A dropped-data warning, whose text carries the handler's own metric names.
 *
 * @example
 * formatWarning("lambda-vitals dropped 1 metric entry: Score: NaN", PLAIN); // "⚠ lambda-vitals ..."
 */
export function formatWarning(warning: string, style: Style): string {
  return style.yellow(`⚠ ${oneLine(warning)}`);
}

/**
 * Text from a log line must not move the cursor, recolour the terminal, set its title or start a
 * new line: every C0 control, DEL and C1 control (U+0080 to U+009F; U+009B alone opens a control
 * sequence on many terminals) is written as a visible `\xNN`, so a forged line reads as forged.
 *
 * @example
 * oneLine("a\u001b[2Jb"); // "a\\x1b[2Jb"
 */
export function oneLine(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function same(text: string): string {
  return text;
}
