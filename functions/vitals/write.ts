/**
 * The one place that writes to stdout: the wrapper's lines and the health check's lines go out
 * through here.
 */

/**
 * Writes one EMF line with `process.stdout.write`, never `console.*`: Lambda prefixes console
 * output (text format) or wraps it in a JSON string (JSON format), and CloudWatch then extracts
 * no metric from it. A broken stdout must not break the invocation.
 *
 * @example
 * for (const line of healthCheckLines(input)) writeLine(line);
 */
export function writeLine(line: string): void {
  try {
    process.stdout.write(`${line}\n`);
  } catch {
    // fail open: the caller's result matters more than its metrics
  }
}
