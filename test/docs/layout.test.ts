/**
 * The file lists of docs/layout.md, docs/local.md and docs/tests.md stay equal to what git tracks: every
 * top-level entry of the project has a row, every file of the library, of `infra/`, of
 * `local/` and of `test/ric/` is named, and nothing named is missing (a path that git does not track is one that
 * `.gitignore` leaves out, such as `dist/`). A file added without its row fails here.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codeSpans, tablesUnder } from "../fixtures/markdown";

const ROOT = join(__dirname, "../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
  .split("\n")
  .filter((path) => path !== "");
const ignored = read(".gitignore")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));

/** Whether a path (a folder ends with `/`; `*` stands for a name) is one git tracks. */
function exists(path: string): boolean {
  const pattern = new RegExp(
    `^${path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]+")}${path.endsWith("/") ? "" : "$"}`,
  );
  return tracked.some((file) => pattern.test(file)) || ignored.includes(path);
}

/** The paths a table's first column names, each with the code spans of its row. */
function named(table: { rows: readonly (readonly string[])[] } | undefined) {
  return (table?.rows ?? []).flatMap(([first = "", ...rest]) =>
    codeSpans(first).map((path) => ({ path, row: rest.flatMap(codeSpans) })),
  );
}

describe("docs/layout.md", () => {
  const page = read("docs/layout.md");

  it("has a row for every top-level file and folder git tracks", () => {
    // Prepare
    const [table] = tablesUnder(page, "Project layout");
    const paths = named(table).map((entry) => entry.path);
    const top = [
      ...new Set(tracked.map((file) => (file.includes("/") ? `${file.split("/")[0]}/` : file))),
    ];

    // Assess
    expect(top.filter((entry) => !paths.some((path) => path.startsWith(entry)))).toEqual([]);
  });

  it("names, in the top table, only paths that exist or that .gitignore leaves out", () => {
    // Prepare
    const [table] = tablesUnder(page, "Project layout");

    // Assess
    expect(named(table).filter(({ path }) => !exists(path))).toEqual([]);
  });

  it.each([
    ["`functions/vitals/`, the library", "functions/vitals/"],
    ["`infra/`, the generated stack", "infra/"],
  ])("names every file under %s, and only files that exist", (heading, folder) => {
    // Prepare
    const entries = named(tablesUnder(page, heading)[0]);
    const files = tracked
      .filter((file) => file.startsWith(folder))
      .map((file) => file.slice(folder.length));

    // Act: a file in a subfolder is named in the row of its folder (`health/`)
    const missing = files.filter((file) => {
      const [sub, name] = file.includes("/") ? file.split("/", 2) : [undefined, file];
      return sub === undefined
        ? !entries.some((entry) => entry.path === name)
        : !entries.some((entry) => entry.path === `${sub}/` && entry.row.includes(name ?? ""));
    });
    const unknown = entries.filter(({ path }) => !exists(`${folder}${path}`));

    // Assess
    expect(files.length).toBeGreaterThan(5);
    expect(missing).toEqual([]);
    expect(unknown).toEqual([]);
  });
});

describe("docs/local.md, Files", () => {
  it("names every file under local/, and only files that exist", () => {
    // Prepare
    const entries = named(tablesUnder(read("docs/local.md"), "Files")[0]).map((e) => e.path);
    const files = tracked.filter((file) => file.startsWith("local/"));

    // Act: a folder's row (`local/page/`) names the files in it
    const missing = files.filter(
      (file) =>
        !entries.some((path) => path === file || (path.endsWith("/") && file.startsWith(path))),
    );

    // Assess
    expect(files.length).toBeGreaterThan(5);
    expect(missing).toEqual([]);
    expect(entries.filter((path) => !exists(path))).toEqual([]);
  });
});

describe("docs/tests.md, Where its parts are", () => {
  it("names every file under test/ric/, and only files that exist", () => {
    // Prepare
    const entries = named(tablesUnder(read("docs/tests.md"), "Where its parts are")[0]).map(
      (e) => `test/ric/${e.path}`,
    );
    const files = tracked.filter((file) => file.startsWith("test/ric/"));

    // Assess
    expect(files.length).toBeGreaterThan(5);
    expect(files.filter((file) => !entries.includes(file))).toEqual([]);
    expect(entries.filter((path) => !exists(path))).toEqual([]);
  });
});
