import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");
const LOCAL = join(ROOT, "local");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Every module specifier of `import … from`, `export … from`, `import()` and `require()`. */
function specifiersOf(source: string): string[] {
  const pattern =
    /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'`]([^"'`]+)["'`]/gm;
  return [...source.matchAll(pattern)].flatMap((match) =>
    match[1] === undefined ? [] : [match[1]],
  );
}

describe("the local engine stays out of what deploys", () => {
  it("reads every kind of specifier", () => {
    const source = `import { a } from "../local";\nexport * from '../local/x';\nconst b = require("../local/y");\nawait import("../local/z");\nimport "../local/w";`;
    expect(specifiersOf(source)).toEqual([
      "../local",
      "../local/x",
      "../local/y",
      "../local/z",
      "../local/w",
    ]);
  });

  it("no file under functions/ or infra/ imports anything under local/", () => {
    const files = ["functions", "infra"].flatMap((dir) => sourceFiles(join(ROOT, dir)));
    expect(files.length).toBeGreaterThan(10);
    const reaching = files.flatMap((file) =>
      specifiersOf(readFileSync(file, "utf8"))
        .filter((specifier) => specifier.startsWith("."))
        .map((specifier) => resolve(dirname(file), specifier))
        .filter((target) => target === LOCAL || target.startsWith(`${LOCAL}/`))
        .map((target) => `${relative(ROOT, file)} → ${relative(ROOT, target)}`),
    );
    expect(reaching).toEqual([]);
  });
});
