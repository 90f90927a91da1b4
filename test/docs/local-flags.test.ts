/**
 * docs/local.md's flags table is `npm start`'s parser: one row per flag it takes, each with the
 * default it applies, and the addresses in "What runs where" are those defaults.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseStartOptions, type StartOptions } from "../../local/launcher";
import { codeSpans, tablesUnder } from "../fixtures/markdown";
import { templateText } from "../fixtures/template-config";

const page = readFileSync(join(__dirname, "../../docs/local.md"), "utf8");

/** The flags table: `--flag` → the code spans of its default cell. */
function rows(): Map<string, string[]> {
  const [table] = tablesUnder(page, "Flags");
  expect(table?.header).toEqual(["flag", "default", "what it is for"]);
  return new Map(
    (table?.rows ?? []).map(([flag = "", fallback = ""]) => [
      codeSpans(flag)[0]?.split(" ")[0] ?? "",
      fallback === "off" ? ["off"] : codeSpans(fallback),
    ]),
  );
}

/** The usage line the parser prints with any refusal: the flags it takes. */
function usageFlags(): string[] {
  try {
    parseStartOptions(["--no-such-flag"]);
  } catch (error) {
    return [...String(error).matchAll(/\[(--\w+)/g)].map((match) => match[1] ?? "");
  }
  throw new Error("parseStartOptions took an unknown flag");
}

describe("docs/local.md, Flags", () => {
  it("has one row for every flag npm start takes, and no other", () => {
    expect(usageFlags().length).toBeGreaterThanOrEqual(4);
    expect([...rows().keys()].sort()).toEqual(usageFlags().sort());
  });

  it("gives each flag the default the parser applies", () => {
    // Prepare
    const defaults: StartOptions = parseStartOptions([]);

    for (const [flag, fallback] of rows()) {
      // Act
      const key = flag.slice(2) as keyof StartOptions;
      const value = defaults[key];

      // Assess: a stage the parser leaves unset is serverless.yml's own default
      if (key === "stage") {
        expect(value).toBeUndefined();
        expect(templateText()).toContain(`stage: \${opt:stage, '${fallback[0]}'}`);
      } else if (typeof value === "boolean") {
        expect(value, flag).toBe(false);
        expect(fallback, flag).toEqual(["off"]);
      } else {
        expect(fallback[0], flag).toBe(String(value));
      }
    }
  });

  it("serves 'What runs where' on the default ports", () => {
    // Prepare
    const { httpPort, lambdaPort, dashboardPort } = parseStartOptions([]);
    const [table] = tablesUnder(page, "What runs where");

    // Act
    const addresses = (table?.rows ?? []).map(([address = ""]) => codeSpans(address)[0]);

    // Assess
    expect(addresses).toEqual(
      [httpPort, lambdaPort, dashboardPort].map((p) => `http://127.0.0.1:${p}`),
    );
  });
});
