/**
 * The one place that writes to stdout: the wrapper's lines and the health check's lines go out
 * through here.
 */

/**
 * `VITALS_EMF=off` keeps the lines out of a service's own test output (docs/wrapping.md). Read
 * once, when the library loads: the switch is for a test run, set before the handlers load, and
 * costs a measured invocation nothing.
 */
const OFF = process.env.VITALS_EMF === "off";

/** The marker `lambda-vitals/testing` puts on the stdout writer while `invokeMeasured` runs. */
const CAPTURING = Symbol.for("lambda-vitals.testing.capturing");

/**
 * Writes one EMF line with `process.stdout.write`, never `console.*`: Lambda prefixes console
 * output (text format) or wraps it in a JSON string (JSON format), and CloudWatch then extracts
 * no metric from it. A broken stdout must not break the invocation. With `VITALS_EMF=off` the line
 * is written only while `invokeMeasured` collects it.
 *
 * @example
 * for (const line of healthCheckLines(input)) writeLine(line);
 */
export function writeLine(line: string): void {
  try {
    if (OFF && !measuring()) return;
    process.stdout.write(`${line}\n`);
  } catch {
    // fail open: the caller's result matters more than its metrics
  }
}

function measuring(): boolean {
  return (process.stdout.write as { [CAPTURING]?: boolean })[CAPTURING] === true;
}
