/**
 * No import cycles under functions/ and infra/, not even type-only ones: a cycle blurs which
 * layer is which, and a type that both sides need belongs in the lower layer.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "..");
const FOLDERS = ["functions", "infra"];
const SOURCE = /\.(?:ts|cts|mts|cjs|mjs|js)$/;

type Graph = ReadonlyMap<string, readonly string[]>;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return SOURCE.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The file a relative specifier names, as Node and TypeScript resolve it; undefined if none. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base,
    ...[".ts", ".cts", ".mts", ".cjs", ".mjs", ".js"].map((ext) => `${base}${ext}`),
    ...["index.ts", "index.cjs", "index.js"].map((index) => join(base, index)),
    // A `.js` specifier in TypeScript names the `.ts` file beside it.
    base.replace(/\.js$/, ".ts"),
  ];
  return candidates.find((path) => existsSync(path) && statSync(path).isFile());
}

/**
 * Every relative import of every file: `import`, `import type`, `export ... from`, `require()`,
 * `import()` and `typeof import()`, as the TypeScript compiler's own pre-processor finds them.
 */
function importGraph(files: readonly string[], root = ROOT): Graph {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith("."))
      .map((specifier) => {
        const target = resolveSpecifier(file, specifier);
        if (target === undefined) throw new Error(`${file}: cannot resolve "${specifier}"`);
        return relative(root, target);
      });
    graph.set(relative(root, file), [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * Every elementary cycle's shortest form through each file, written from its smallest file name
 * so that the same cycle is always written the same way: `a.ts → b.ts → a.ts`.
 */
function cyclesOf(graph: Graph): string[] {
  const found = new Set<string>();
  for (const start of graph.keys()) {
    // Breadth-first from each file back to itself: its shortest cycle, if any.
    const previous = new Map<string, string>();
    const queue = [...(graph.get(start) ?? [])];
    for (const next of queue) previous.set(next, start);
    while (queue.length > 0) {
      const node = queue.shift() as string;
      if (node === start) {
        const path = [start];
        for (
          let at = previous.get(start) as string;
          at !== start;
          at = previous.get(at) as string
        ) {
          path.unshift(at);
        }
        const smallest = path.indexOf([...path].sort()[0] as string);
        const rotated = [...path.slice(smallest), ...path.slice(0, smallest)];
        found.add([...rotated, rotated[0]].join(" → "));
        break;
      }
      for (const next of graph.get(node) ?? []) {
        if (!previous.has(next)) {
          previous.set(next, node);
          queue.push(next);
        }
      }
    }
  }
  return [...found].sort();
}

describe("import cycles", () => {
  it("finds direct, longer and self cycles in a graph, and none in a tree", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts", "d.ts"]],
      ["d.ts", []],
      ["e.ts", ["f.ts"]],
      ["f.ts", ["e.ts"]],
      ["g.ts", ["g.ts"]],
    ]);
    expect(cyclesOf(graph)).toEqual([
      "a.ts → b.ts → c.ts → a.ts",
      "e.ts → f.ts → e.ts",
      "g.ts → g.ts",
    ]);
    expect(
      cyclesOf(
        new Map([
          ["x.ts", ["y.ts"]],
          ["y.ts", []],
        ]),
      ),
    ).toEqual([]);
  });

  it("reads type-only imports, re-exports, require() and typeof import() as imports", () => {
    // Prepare: one file per form of import, each naming the next
    const dir = mkdtempSync(join(tmpdir(), "imports-"));
    const files: Record<string, string> = {
      "a.ts": 'import type { B } from "./b";\nexport const a = 1;',
      "b.ts": 'export { c } from "./c.js";\nexport type B = 1;',
      "c.ts": 'export type C = typeof import("./d");\nexport const c = 1;',
      "d.ts": 'export const d = () => import("./lib");',
      "lib/index.ts": 'const e = require("../e.cjs");',
      "e.cjs": 'module.exports = require("./a");\nrequire("node:fs");',
    };
    try {
      for (const [name, text] of Object.entries(files)) {
        const path = join(dir, name);
        if (name.includes("/")) mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
      }
      // Act
      const graph = importGraph(sourceFiles(dir), dir);
      // Assess
      expect(Object.fromEntries(graph)).toEqual({
        "a.ts": ["b.ts"],
        "b.ts": ["c.ts"],
        "c.ts": ["d.ts"],
        "d.ts": [join("lib", "index.ts")],
        [join("lib", "index.ts")]: ["e.cjs"],
        "e.cjs": ["a.ts"],
      });
      expect(cyclesOf(graph)).toEqual([
        `a.ts → b.ts → c.ts → d.ts → ${join("lib", "index.ts")} → e.cjs → a.ts`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has none under functions/ and infra/, type-only imports included", () => {
    const files = FOLDERS.flatMap((folder) => sourceFiles(join(ROOT, folder)));
    const cycles = cyclesOf(importGraph(files));
    expect(cycles, "import cycles: give the shared type a home in the lower layer").toEqual([]);
  });
});
