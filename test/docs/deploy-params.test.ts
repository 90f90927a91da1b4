/**
 * docs/deploy.md gives the HTTP API's throttling defaults as the template's `params` set them,
 * and names the param of each.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { templateParams } from "../fixtures/template-config";

const page = readFileSync(join(__dirname, "../../docs/deploy.md"), "utf8").replace(/\s+/g, " ");

describe("docs/deploy.md, Throttling of the HTTP API", () => {
  it.each(["httpApiRateLimit", "httpApiBurstLimit"])(
    "gives %s's default as params.default has it",
    (name) => {
      // Prepare
      const fallback = templateParams().default?.[name];

      // Act
      const written = new RegExp(`\`${name}\`[^()]*\\(default (\\d+)\\)`).exec(page)?.[1];

      // Assess
      expect(fallback).toBeDefined();
      expect(written).toBe(fallback);
    },
  );
});
