/**
 * Every relative link in README.md and docs/*.md leads somewhere: to a file that exists and, for
 * `page.md#anchor`, to a heading that page has. And the README, the front page, links every page
 * under docs/, so no page can be written and then never found.
 */
import { existsSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { documentation, headingAnchors, links, type MarkdownFile } from "./fixtures/markdown";

const root = process.cwd();

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/** What is wrong with each relative link of some Markdown files: `file:line target: problem`. */
function brokenLinks(files: readonly MarkdownFile[]): string[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  return files.flatMap((file) =>
    links(file.text)
      .filter((link) => !EXTERNAL.test(link.target))
      .flatMap((link) => {
        const [path = "", anchor] = link.target.split("#", 2);
        const target = path === "" ? file.path : normalize(join(dirname(file.path), path));
        const where = `${file.path}:${link.line} ${link.target}`;
        if (!existsSync(join(root, target))) return [`${where}: no file ${target}`];
        if (anchor === undefined) return [];
        const page = byPath.get(target);
        if (page === undefined)
          return [`${where}: an anchor into a file that is not documentation`];
        return headingAnchors(page.text).has(decodeURIComponent(anchor))
          ? []
          : [`${where}: ${target} has no heading #${anchor}`];
      }),
  );
}

describe("the documentation's links", () => {
  it("lead to files that exist and headings those files have", () => {
    // Prepare
    const files = documentation(root);

    // Act
    const broken = brokenLinks(files);

    // Assess
    expect(broken).toEqual([]);
  });

  it("include one from the README to every page under docs/", () => {
    // Prepare
    const files = documentation(root);
    const readme = files.find((file) => file.path === "README.md");
    const pages = files.map((file) => file.path).filter((path) => path.startsWith("docs/"));

    // Act
    const linked = new Set(
      links(readme?.text ?? "").map((link) => normalize(link.target.split("#")[0] ?? "")),
    );

    // Assess
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe("the link checker", () => {
  const target: MarkdownFile = {
    path: "docs/deploy.md",
    text: "# Deploy\n\n## Adding a function\n\n```sh\n# not a heading\n```\n",
  };

  it("reports a link to a file that does not exist, with its file and line", () => {
    // Prepare
    const page: MarkdownFile = { path: "README.md", text: "intro\n\nSee [it](docs/nowhere.md).\n" };

    // Act
    const broken = brokenLinks([page]);

    // Assess
    expect(broken).toEqual(["README.md:3 docs/nowhere.md: no file docs/nowhere.md"]);
  });

  it("reports an anchor that no heading of the page has, and accepts one that a heading has", () => {
    // Prepare
    const page: MarkdownFile = {
      path: "docs/health.md",
      text: "[ok](deploy.md#adding-a-function) [bad](deploy.md#not-a-heading) [self](#nothing)\n",
    };

    // Act
    const broken = brokenLinks([page, target]);

    // Assess
    expect(broken).toEqual([
      "docs/health.md:1 deploy.md#not-a-heading: docs/deploy.md has no heading #not-a-heading",
      "docs/health.md:1 #nothing: docs/health.md has no heading #nothing",
    ]);
  });

  it("ignores external links and links inside code", () => {
    // Prepare
    const page: MarkdownFile = {
      path: "README.md",
      text: [
        "[EMF](https://docs.aws.amazon.com/x) `[code](nowhere.md)`",
        "```md",
        "[in a block](nowhere.md)",
        "```",
        "",
      ].join("\n"),
    };

    // Act
    const broken = brokenLinks([page]);

    // Assess
    expect(broken).toEqual([]);
  });
});

describe("heading anchors", () => {
  it("follow GitHub's rules: lower case, punctuation and code ticks dropped, repeats numbered", () => {
    // Prepare
    const text = [
      "# `functions/vitals/`, the library",
      "## Errors by route",
      "## Errors by route",
      "### HEALTH_CACHE_MS and the cache",
      "```sh",
      "# a shell comment",
      "```",
    ].join("\n");

    // Act
    const anchors = headingAnchors(text);

    // Assess
    expect([...anchors]).toEqual([
      "functionsvitals-the-library",
      "errors-by-route",
      "errors-by-route-1",
      "health_cache_ms-and-the-cache",
    ]);
  });
});
