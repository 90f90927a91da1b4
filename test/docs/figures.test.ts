/**
 * The figures the docs give are either read from the files that hold them or written without a
 * number, and the words that replace a number still hold: docs/install.md's install scripts are
 * `package.json`'s `allowScripts`, with no package count to go stale; docs/metrics.md's "a few
 * hundred bytes" is what the wrapper writes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { metricsFor, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { httpApiEvent } from "../fixtures/events";
import { codeBlocks, codeSpans, tablesUnder } from "../fixtures/markdown";
import { capturedEachTest } from "../fixtures/stdout";

const ROOT = join(__dirname, "../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const out = capturedEachTest(() => vi.unstubAllEnvs());

describe("docs/install.md", () => {
  const page = read("docs/install.md");
  const denied = Object.keys(
    (JSON.parse(read("package.json")) as { allowScripts: Record<string, boolean> }).allowScripts,
  ).sort();

  it("lists in its table exactly the install scripts package.json's allowScripts decides", () => {
    // Prepare
    const [table] = tablesUnder(page, "Dependency install scripts (npm 11 `allowScripts`)");

    // Act
    const listed = (table?.rows ?? []).map(([name = ""]) => codeSpans(name)[0] ?? "");

    // Assess
    expect(denied.length).toBeGreaterThan(0);
    expect([...listed].sort()).toEqual(denied);
  });

  it("quotes allowScripts as package.json has it, and the command that wrote it", () => {
    // Prepare
    const block = codeBlocks(page).find((b) => b.info === "json")?.code ?? "";
    const command = /npm install-scripts deny ([^`]+)`/.exec(page)?.[1] ?? "";

    // Act
    const quoted = JSON.parse(`{${block}}`) as { allowScripts: Record<string, boolean> };

    // Assess
    expect(quoted.allowScripts).toEqual(
      (JSON.parse(read("package.json")) as { allowScripts: unknown }).allowScripts,
    );
    expect(command.trim().split(/\s+/).sort()).toEqual(denied);
  });

  it("writes no count that the lock file would change: packages, or scripts by number", () => {
    expect(page).not.toMatch(/added \d+ packages/);
    expect(page).not.toMatch(
      /\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten) (?:of this project's|\w+ )?(?:scripts|development dependencies)\b/i,
    );
  });
});

describe("docs/metrics.md, the size of a line", () => {
  const page = read("docs/metrics.md");
  const bytes = (line: string) => Buffer.byteLength(line, "utf8");

  /** The line a warm HTTP API request writes, with a trace header, as a success answers it. */
  async function successLine(record?: (context: Context) => void): Promise<string[]> {
    vi.stubEnv("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
    vi.stubEnv("VITALS_NAMESPACE", "LambdaVitals/dev");
    vi.stubEnv("VITALS_SERVICE", "lambda-vitals");
    const handler = withVitals(async (_event: unknown, context: Context) => {
      record?.(context);
      return { statusCode: 200, body: "{}" };
    });
    const before = out.lines().length;
    await handler(httpApiEvent({ path: "/orders/1001", route: "/orders/{id}" }), lambdaContext());
    return out.lines().slice(before);
  }

  it("writes the typical line's size without a number of bytes", () => {
    expect(page).not.toMatch(/\d+\s*(?:bytes|B)\b/);
  });

  it("is right that a typical success line, as the README's sample, is a few hundred bytes", async () => {
    // Prepare
    const readmeSample = codeBlocks(read("README.md")).find((b) => b.code.startsWith('{"_aws"'));

    // Act
    const [line = ""] = await successLine();

    // Assess
    expect(page).toContain("a few hundred bytes, as the README's sample is");
    for (const size of [bytes(line), bytes(readmeSample?.code ?? "")]) {
      expect(size).toBeGreaterThanOrEqual(200);
      expect(size).toBeLessThan(1000);
    }
  });

  it("is right that a metric with one dimension adds less than a line does", async () => {
    // Act
    const [plain = ""] = await successLine();
    const recorded = await successLine((context) => {
      const metrics = metricsFor(context);
      metrics.addDimension("Channel", "web");
      metrics.addMetric("OrdersCreated", 1, "Count");
    });

    // Assess
    expect(page).toContain("a metric with one dimension adds less than a line does");
    const added = recorded.reduce((sum, line) => sum + bytes(line), 0) - bytes(plain);
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThan(bytes(plain));
  });
});
