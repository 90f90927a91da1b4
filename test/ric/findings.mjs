/**
 * What a run finds: violations (the run fails) and notes (reported, not failed). One collector per
 * run, created by main.mjs and handed to every part that checks something.
 */

/**
 * @example
 * const findings = newFindings();
 * findings.violation("JSON getOrder", "2 canonical lines (expected 1)", "event: …");
 * findings.violations.length; // 1
 */
export function newFindings() {
  const violations = [];
  const notes = [];
  return {
    violations,
    notes,
    violation(where, what, detail) {
      violations.push({ where, what, detail });
    },
    note(where, what) {
      notes.push(`${where}: ${what}`);
    },
  };
}

/**
 * A progress line on stderr, stamped with the seconds since `started`.
 *
 * @example
 * const log = logger(Date.now());
 * log("packaged in 3.5 s"); // [ric-e2e 3.5s] packaged in 3.5 s
 */
export function logger(started) {
  return (message) => {
    process.stderr.write(`[ric-e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
  };
}

/**
 * A detail cut to `n` characters, saying how long it was.
 *
 * @example
 * short("x".repeat(500), 10); // "xxxxxxxxxx…(500 chars)"
 */
export function short(text, n = 400) {
  return text.length > n ? `${text.slice(0, n)}…(${text.length} chars)` : text;
}
