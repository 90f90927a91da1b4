/**
 * The mutation score the docs give is one the repository can check: the committed
 * reports/stryker-incremental.json is of the library as it is (each file's source, as Stryker read
 * it, is the file now), docs/mutation-testing.md's table of it is its figures, no file is under
 * 90 %, and docs/mutation-equivalents.md lists every survivor and every mutant without coverage,
 * each with the section that judges it. A change to the library fails here until
 * `npx stryker run --mutate <the files>` has brought the report up to date.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { headingAnchors, tablesUnder } from "../fixtures/markdown";

const ROOT = join(__dirname, "../..");
const LIBRARY = join(ROOT, "functions/vitals");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

interface Mutant {
  readonly mutatorName: string;
  readonly replacement: string;
  readonly status: string;
  readonly location: {
    readonly start: { readonly line: number; readonly column: number };
    readonly end: { readonly line: number; readonly column: number };
  };
}

interface Report {
  readonly files: Readonly<Record<string, { readonly source: string; mutants: Mutant[] }>>;
}

const report = JSON.parse(read("reports/stryker-incremental.json")) as Report;

/** The files stryker.config.json mutates: every TypeScript file of the library but its index. */
function mutatedFiles(directory = LIBRARY): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return mutatedFiles(path);
    return entry.name.endsWith(".ts") && path !== join(LIBRARY, "index.ts")
      ? [relative(ROOT, path)]
      : [];
  });
}

/** A file with nothing to mutate: as JavaScript, it only imports and re-exports. */
function nothingToMutate(path: string): boolean {
  const { outputText } = ts.transpileModule(read(path), {
    compilerOptions: { module: ts.ModuleKind.ESNext },
  });
  const code = ts.createSourceFile(path, outputText, ts.ScriptTarget.Latest);
  return code.statements.every((s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s));
}

const counts = (mutants: readonly Mutant[]) => {
  const of = (status: string) => mutants.filter((m) => m.status === status).length;
  const killed = of("Killed");
  const timedOut = of("Timeout");
  const survived = of("Survived");
  const noCoverage = of("NoCoverage");
  const detected = killed + timedOut;
  const score = (100 * detected) / (detected + survived + noCoverage);
  return { killed, timedOut, survived, noCoverage, score };
};

/** A row of the docs' table, as it is written there. */
const row = (name: string, mutants: readonly Mutant[]) => {
  const { killed, timedOut, survived, noCoverage, score } = counts(mutants);
  return [name, `${score.toFixed(2)} %`, killed, timedOut, survived, noCoverage].map(String);
};

const short = (file: string) => file.replace("functions/vitals/", "");
const fileNames = Object.keys(report.files).sort();
const judged = (m: Mutant) => m.status === "Survived" || m.status === "NoCoverage";

describe("the committed mutation report", () => {
  it("is of the library as it is: every mutated file, with the source it has now", () => {
    const files = mutatedFiles();
    const reported = files.filter((file) => report.files[file] !== undefined);
    // Files the report leaves out are those with nothing to mutate: types and re-exports
    expect(files.filter((file) => !reported.includes(file) && !nothingToMutate(file))).toEqual([]);
    expect(fileNames).toEqual([...reported].sort());
    const changed = reported.filter((file) => report.files[file]?.source !== read(file));
    expect(changed, "re-run `npx stryker run --mutate` on these files").toEqual([]);
  });

  it("has every file at 90 % or more, as docs/mutation-testing.md says", () => {
    const under = fileNames.filter((file) => counts(report.files[file]?.mutants ?? []).score < 90);
    expect(under).toEqual([]);
    expect(read("docs/mutation-testing.md")).toContain("no file under 90 %");
  });

  it("is docs/mutation-testing.md's table of the score, file by file and in all", () => {
    const [table] = tablesUnder(read("docs/mutation-testing.md"), "The committed report, per file");
    const all = fileNames.flatMap((file) => report.files[file]?.mutants ?? []);
    const expected = [
      ...fileNames.map((file) => row(short(file), report.files[file]?.mutants ?? [])),
      row("**all files**", all),
    ];
    expect(table?.header).toEqual([
      "file",
      "score",
      "killed",
      "timed out",
      "survived",
      "not covered",
    ]);
    expect(table?.rows).toEqual(expected);
  });
});

describe("docs/mutation-equivalents.md", () => {
  const doc = read("docs/mutation-equivalents.md");
  const [table] = tablesUnder(doc, "Every survivor of the committed report");

  it("lists every survivor and every mutant without coverage of the report, and no other", () => {
    const expected = fileNames.flatMap((file) =>
      (report.files[file]?.mutants ?? [])
        .filter(judged)
        .sort(
          (a, b) =>
            a.location.start.line - b.location.start.line ||
            a.location.start.column - b.location.start.column ||
            a.location.end.column - b.location.end.column,
        )
        .map((m) => {
          const { start, end } = m.location;
          const status = m.status === "NoCoverage" ? "not covered" : "survived";
          return [
            short(file),
            `${start.line}:${start.column}–${end.line}:${end.column}`,
            status,
            m.mutatorName,
            m.replacement,
          ];
        }),
    );
    expect(table?.header.slice(0, 5)).toEqual(["file", "where", "status", "mutator", "mutant"]);
    const rows = table?.rows.map((cells) => [...cells.slice(0, 4), unquoted(cells[4] ?? "")]);
    expect(rows).toEqual(expected);
  });

  it("names, for each, a section of the page that judges it", () => {
    const anchors = headingAnchors(doc);
    const targets = (table?.rows ?? []).map((cells) => /\]\(#([^)]+)\)/.exec(cells[5] ?? "")?.[1]);
    expect(targets.filter((target) => target === undefined || !anchors.has(target))).toEqual([]);
  });
});

/** A table cell's code span without its ticks: `` `{}` `` → `{}`. */
function unquoted(cell: string): string {
  return /^(`+) ?(.*?) ?\1$/.exec(cell)?.[2] ?? cell;
}
