/**
 * What a handler's bundle carries, built as serverless.yml deploys it (esbuild, minified, CommonJS):
 * a handler pays in bytes and cold start only for the parts of the library it uses.
 */
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname;

/** Bundles a handler module given as source, importing the library's public entry. */
async function bundle(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: "ts", sourcefile: "handler.ts" },
    bundle: true,
    minify: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

// Strings that only the recorder and the general renderer hold, and only HttpError.
const RECORDER = ["metric entries that CloudWatch would reject", "DroppedMetricData", "__proto__"];
const HTTP_ERROR = "HttpError status must be";

describe("a handler's bundle", () => {
  it("leaves out the recorder and the general renderer when the handler records nothing", async () => {
    // Prepare
    const source = `import { withVitals } from "./functions/vitals";
      export const handler = withVitals(async () => ({ statusCode: 200, body: "ok" }));`;

    // Act
    const code = await bundle(source);

    // Assess
    expect(code).toContain("CloudWatchMetrics");
    for (const marker of RECORDER) expect(code).not.toContain(marker);
    expect(code).not.toContain(HTTP_ERROR);
  });

  it("carries them when the handler records its own metrics and throws HttpError", async () => {
    // Prepare
    const source = `import { HttpError, metricsFor, withVitals } from "./functions/vitals";
      export const handler = withVitals(async (event: { id?: string }, context) => {
        if (event.id === undefined) throw new HttpError(400, "id is required");
        metricsFor(context).addMetric("Things", 1, "Count");
        return { statusCode: 200, body: "ok" };
      });`;

    // Act
    const code = await bundle(source);

    // Assess
    for (const marker of RECORDER) expect(code).toContain(marker);
    expect(code).toContain(HTTP_ERROR);
  });
});
