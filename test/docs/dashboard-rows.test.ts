/**
 * docs/dashboard.md says where the per-route rows come from as infra/routes.ts reads them: every
 * event kind that carries HTTP requests, and the function `url`, and none of the kinds that get
 * no row.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { functionRoutes, HTTP_EVENT_KINDS, OTHER_EVENT_KINDS } from "../../infra/routes";
import { codeSpans } from "../fixtures/markdown";

const page = readFileSync(join(__dirname, "../../docs/dashboard.md"), "utf8");

describe("docs/dashboard.md, where the per-route rows come from", () => {
  /** The code spans of the paragraph that says where the rows come from. */
  const named = () =>
    codeSpans(
      page
        .split("\n\n")
        .find((paragraph) => paragraph.startsWith("The per-route rows come from")) ?? "",
    );

  it("names every kind of event the plugin draws rows from, and the function url", () => {
    // Prepare: a function URL alone gets rows, as the events do
    expect(functionRoutes("files", { url: true }).length).toBeGreaterThan(0);

    // Assess
    expect(named()).toEqual(expect.arrayContaining([...HTTP_EVENT_KINDS, "url"]));
  });

  it("names no kind of event that gets no row", () => {
    expect(
      named().filter((name) => (OTHER_EVENT_KINDS as readonly string[]).includes(name)),
    ).toEqual([]);
  });
});
