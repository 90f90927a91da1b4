/**
 * What docs/existing-services.md tells webpack 4 users holds for the build as it is: the package
 * is compiled for the target the page names, and the compiled library keeps the optional chaining
 * that webpack 4 cannot parse (so the page's advice, babel-loader or webpack 5, is still needed).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "../..");
const page = readFileSync(join(ROOT, "docs/existing-services.md"), "utf8").replace(/\s+/g, " ");
const build = readFileSync(join(ROOT, "scripts/build.mjs"), "utf8");

describe("docs/existing-services.md on webpack 4", () => {
  it("names the target the package is built for", () => {
    // Prepare
    const target = /\btarget: "(\w+)"/.exec(build)?.[1];

    // Assess
    expect(target).toBeDefined();
    expect(page).toContain(`esbuild's target \`${target}\``);
  });

  it("is right that the output keeps `?.`: compiling the wrapper for that target keeps it", () => {
    // Prepare
    const target = /\btarget: "(\w+)"/.exec(build)?.[1] ?? "";
    const source = readFileSync(join(ROOT, "functions/vitals/wrapper.ts"), "utf8");

    // Act
    const { code } = transformSync(source, { loader: "ts", target, format: "cjs" });

    // Assess
    expect(source).toContain("?.");
    expect(code).toContain("?.");
  });
});
