/**
 * The sanity pass: parses what each variant wrote for a few invocations and fails loudly unless
 * every invocation wrote EMF that carries Requests, Errors and Latency under a service and a
 * Route dimension, with ColdStart on the first invocation only. A variant that silently writes
 * nothing would otherwise look like the fastest one.
 */

const REQUIRED = ["Requests", "Errors", "Latency"];

/** Metric names with numeric values and dimension names with string values, in one EMF line. */
function parseEmf(line, where) {
  let doc;
  try {
    doc = JSON.parse(line);
  } catch {
    throw new Error(`${where}: not JSON: ${line.slice(0, 120)}`);
  }
  const aws = doc?._aws;
  if (!Number.isInteger(aws?.Timestamp) || !Array.isArray(aws.CloudWatchMetrics)) {
    throw new Error(`${where}: no _aws.Timestamp / CloudWatchMetrics: ${line.slice(0, 120)}`);
  }
  const metrics = new Map();
  const dimensions = new Set();
  for (const directive of aws.CloudWatchMetrics) {
    if (typeof directive.Namespace !== "string") throw new Error(`${where}: no Namespace`);
    for (const set of directive.Dimensions) {
      for (const key of set) {
        if (typeof doc[key] !== "string")
          throw new Error(`${where}: dimension ${key} not a string`);
        dimensions.add(key.toLowerCase());
      }
    }
    for (const { Name } of directive.Metrics) {
      if (!Number.isFinite(doc[Name])) throw new Error(`${where}: metric ${Name} has no number`);
      metrics.set(Name, doc[Name]);
    }
  }
  return { metrics, dimensions };
}

/**
 * @param {string} variant
 * @param {string[]} outputs what each invocation wrote, in order
 * @returns {{ lines: number[] }} EMF lines per invocation
 */
export function checkOutputs(variant, outputs) {
  if (variant === "raw") {
    if (outputs.some((o) => o.length > 0)) throw new Error("raw: wrote output, expected none");
    return { lines: outputs.map(() => 0) };
  }
  const lines = outputs.map((output, i) => {
    const where = `${variant}, invocation ${i + 1}`;
    if (!output.endsWith("\n")) throw new Error(`${where}: wrote no complete line`);
    const docs = output
      .slice(0, -1)
      .split("\n")
      .map((line) => parseEmf(line, where));
    const metrics = new Map(docs.flatMap((d) => [...d.metrics]));
    const dimensions = new Set(docs.flatMap((d) => [...d.dimensions]));
    for (const name of REQUIRED) {
      if (!metrics.has(name)) throw new Error(`${where}: no ${name} metric`);
    }
    for (const name of ["service", "route"]) {
      if (!dimensions.has(name)) throw new Error(`${where}: no ${name} dimension`);
    }
    if (metrics.get("Requests") !== 1 || metrics.get("Errors") !== 0) {
      throw new Error(`${where}: Requests must be 1 and Errors 0 for a 200`);
    }
    if ((i === 0) !== (metrics.get("ColdStart") === 1)) {
      throw new Error(`${where}: ColdStart must be 1 on the first invocation only`);
    }
    return docs.length;
  });
  if (lines.slice(1).some((n) => n !== 1)) {
    throw new Error(`${variant}: a warm invocation must write exactly one EMF line`);
  }
  return { lines };
}
