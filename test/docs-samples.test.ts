/**
 * The TypeScript samples in README.md and docs/*.md compile against the code as it is, with the
 * project's strict options: a renamed export or a changed signature fails here, naming the
 * Markdown file and line, instead of in a reader's editor. The convention the samples follow is
 * in test/fixtures/docs-samples.ts.
 */
import { describe, expect, it } from "vitest";
import { sampleChecker, samples } from "./fixtures/docs-samples";
import { codeBlocks, documentation, type MarkdownFile } from "./fixtures/markdown";

const root = process.cwd();
// One checker for the file: it parses the project's files and type declarations once.
const typeCheckSamples = sampleChecker(root);
// The compiler is slow under a loaded machine; a sample check is not a hang.
const TIMEOUT_MS = 90_000;

/** A Markdown page with the given lines, for checking the checker. */
function page(path: string, ...lines: string[]): MarkdownFile {
  return { path, text: `${lines.join("\n")}\n` };
}

describe("the documentation's TypeScript samples", () => {
  it(
    "all compile with the project's tsconfig",
    () => {
      // Prepare
      const files = documentation(root);

      // Act
      const errors = typeCheckSamples(files);

      // Assess
      expect(errors).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    "include the README's own wrapping sample, so the check reads what a newcomer reads",
    () => {
      // Prepare
      const readme = documentation(root).filter((file) => file.path === "README.md");

      // Act
      const found = samples(root, readme);

      // Assess
      expect(found.some((sample) => sample.code.includes("withVitals("))).toBe(true);
    },
    TIMEOUT_MS,
  );

  it(
    "are marked as fragments rarely, and visibly, in the fence itself",
    () => {
      // Prepare
      const files = documentation(root);

      // Act
      const fragments = files.flatMap((file) =>
        codeBlocks(file.text)
          .filter(
            (block) => /^(ts|typescript)\b/.test(block.info) && block.info.includes("fragment"),
          )
          .map((block) => `${file.path}:${block.line}`),
      );

      // Assess: a fragment is not compiled, so each one is a sample that can drift.
      expect(fragments.length).toBeLessThanOrEqual(5);
    },
    TIMEOUT_MS,
  );
});

describe("the sample checker", () => {
  it(
    "names the Markdown file and line of a sample that does not compile",
    () => {
      // Prepare
      const broken = page(
        "docs/broken.md",
        "# Broken",
        "",
        "```ts",
        'import { withVitals } from "./vitals";',
        'const count: number = "three";',
        "export const handler = withVitals(async () => ({ statusCode: count }));",
        "```",
      );

      // Act
      const errors = typeCheckSamples([broken]);

      // Assess
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^docs\/broken\.md:5:7 TS2322 /);
    },
    TIMEOUT_MS,
  );

  it(
    "fails a sample that imports a name the library does not export",
    () => {
      // Prepare
      const stale = page(
        "README.md",
        "```typescript",
        'import { withVitalz } from "./vitals";',
        "```",
      );

      // Act
      const errors = typeCheckSamples([stale]);

      // Assess
      expect(errors).toEqual([expect.stringMatching(/^README\.md:2:10 TS2\d+ .*withVitalz/)]);
    },
    TIMEOUT_MS,
  );

  it(
    "compiles a sample in the folder its first-line path comment names",
    () => {
      // Prepare: ./fixtures/context resolves from test/, not from functions/.
      const inTests = page(
        "docs/testing.md",
        "```ts",
        "// test/orders.test.ts",
        'import { lambdaContext } from "./fixtures/context";',
        "export const context = lambdaContext({ timeoutMs: 1000 });",
        "```",
      );
      const inFunctions = page(
        "docs/testing.md",
        "```ts",
        'import { lambdaContext } from "./fixtures/context";',
        "```",
      );

      // Act
      const placed = typeCheckSamples([inTests]);
      const unplaced = typeCheckSamples([inFunctions]);

      // Assess
      expect(placed).toEqual([]);
      expect(unplaced).toEqual([expect.stringMatching(/^docs\/testing\.md:2:31 TS2307 /)]);
    },
    TIMEOUT_MS,
  );

  it(
    "compiles a sample that imports from ../functions/ one folder below the root",
    () => {
      // Prepare
      const fromTests = page(
        "docs/testing.md",
        "```ts",
        'import { withVitals } from "../functions/vitals";',
        'import { lambdaContext } from "./fixtures/context";',
        "export const handler = withVitals(async () => ({ statusCode: 204 }));",
        "export const context = lambdaContext();",
        "```",
      );

      // Act
      const errors = typeCheckSamples([fromTests]);

      // Assess
      expect(errors).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    "skips blocks fenced as fragments and blocks in other languages",
    () => {
      // Prepare
      const skipped = page(
        "docs/skipped.md",
        "```ts fragment",
        "throw new HttpError(400, message);",
        "```",
        "",
        "```js",
        "const notTypeScript = ;",
        "```",
      );

      // Act
      const errors = typeCheckSamples([skipped]);

      // Assess
      expect(samples(root, [skipped])).toEqual([]);
      expect(errors).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    "keeps two samples that declare the same name apart, as two files would be",
    () => {
      // Prepare
      const twice = page(
        "docs/twice.md",
        "```ts",
        "const settings = 1;",
        "```",
        "```ts",
        'const settings = "two";',
        "```",
      );

      // Act
      const errors = typeCheckSamples([twice]);

      // Assess
      expect(errors).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
