/**
 * The health samples that users copy keep every built-in check: a sample that builds a
 * `healthHandler` spreads each list of checks that `lambda-vitals/health` exports, so copying it
 * cannot silently drop one (without `siblingChecks`, a crashing sibling no longer fails `/health`,
 * which the alarms rely on). The lists are read from the entry's own exports.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as health from "../../functions/vitals/health";
import { codeBlocks, documentation } from "../fixtures/markdown";

const ROOT = join(__dirname, "../..");

/** The exports that build a list of checks: `runtimeChecks`, `cloudWatchChecks`, … */
const BUILT_IN = Object.keys(health).filter((name) => /^[a-z]\w*Checks$/.test(name));

describe("samples that build a health handler", () => {
  it("are found, in docs/health.md and in the template's own health function", () => {
    // Prepare
    const pages = documentation(ROOT).filter((file) => file.path === "docs/health.md");

    // Act
    const found = pages.flatMap((page) =>
      codeBlocks(page.text).filter((block) => block.code.includes("healthHandler(")),
    );

    // Assess
    expect(BUILT_IN.length).toBeGreaterThanOrEqual(3);
    expect(found.length).toBeGreaterThanOrEqual(1);
  });

  it("spread every built-in list of checks", () => {
    // Prepare
    const samples = [
      ...documentation(ROOT).flatMap((page) =>
        codeBlocks(page.text)
          .filter((block) => block.code.includes("healthHandler({"))
          .map((block) => ({ where: `${page.path}:${block.line}`, code: block.code })),
      ),
      {
        where: "functions/health.ts",
        code: readFileSync(join(ROOT, "functions/health.ts"), "utf8"),
      },
    ];

    // Act
    const missing = samples.flatMap(({ where, code }) =>
      BUILT_IN.filter((name) => !code.includes(`...${name}(`)).map((name) => `${where}: ${name}`),
    );

    // Assess
    expect(missing).toEqual([]);
  });
});
