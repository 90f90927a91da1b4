/**
 * docs/alarms.md stays true: a row for every alarm the generator makes and none for an alarm it
 * does not, the thresholds table equal to serverless.yml's params, and the scenario table naming
 * only alarms that exist.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OBJECTIVE_SETTINGS, OBJECTIVE_TABLE } from "../../infra/objectives";
import { readServiceConfig } from "../../infra/service";
import { buildStack } from "../../infra/stack";
import { serviceConfig } from "../fixtures/service-config";

const ROOT = join(__dirname, "../..");
const doc = readFileSync(join(ROOT, "docs/alarms.md"), "utf8");

/** The rows of the Markdown table that follows a heading, as arrays of cells. */
function table(heading: string): string[][] {
  const section = doc.split(`## ${heading}`)[1]?.split("\n## ")[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|\s*-/.test(line))
    .slice(1)
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

/** A service with an HTTP API, a REST API route and the health function: every kind of alarm. */
function everyAlarm() {
  const config = serviceConfig({
    functions: {
      getInvoice: { events: [{ http: { method: "get", path: "orders/{id}/invoice" } }] },
    },
  });
  const input = readServiceConfig(config);
  const { Resources } = buildStack(input);
  const functions = input.functions.map((fn) => fn.logicalName);
  return Object.entries(Resources)
    .filter(([, r]) => r.Type.startsWith("AWS::CloudWatch::") && r.Type.endsWith("Alarm"))
    .map(([id]) => {
      const fn = functions.find(
        (name) => id === `${name}ErrorsAlarm` || id === `${name}ThrottlesAlarm`,
      );
      if (fn !== undefined) return id.replace(fn, "{Function}");
      // the burn-rate alarms: one row per pair, one for the windows of every pair
      const burn = /^(?:Availability|Latency)(FastBurn|SlowBurn|Ticket)(Long|Short)?Alarm$/.exec(
        id,
      );
      if (burn === null) return id;
      return burn[2] === undefined
        ? `{Objective}${burn[1]}Alarm`
        : `{Objective}{Pair}${burn[2]}Alarm`;
    });
}

/** Reads `params:` from serverless.yml: stage → key → value, as written. */
function params(): Record<string, Record<string, string>> {
  const text = readFileSync(join(ROOT, "serverless.yml"), "utf8");
  const block = text.split(/^params:\n/m)[1]?.split(/^\S/m)[0] ?? "";
  const stages: Record<string, Record<string, string>> = {};
  let stage = "";
  for (const line of block.split("\n")) {
    const stageMatch = /^ {2}(\w+):\s*$/.exec(line);
    const valueMatch = /^ {4}(\w+):\s*(.+?)\s*$/.exec(line);
    if (stageMatch?.[1] !== undefined) {
      stage = stageMatch[1];
      stages[stage] = {};
    } else if (valueMatch?.[1] !== undefined && stages[stage] !== undefined) {
      (stages[stage] as Record<string, string>)[valueMatch[1]] = valueMatch[2] ?? "";
    }
  }
  return stages;
}

describe("docs/alarms.md", () => {
  it("has a row in 'When it pages' for every alarm the generator makes, and no other", () => {
    // Prepare
    const rows = table("When it pages").flatMap(([alarm = ""]) =>
      // a cell may name two alarms: `{Objective}{Pair}LongAlarm`, `{Objective}{Pair}ShortAlarm`
      [...alarm.matchAll(/`(\{?[A-Z][^`]*Alarm)`/g)].map((m) => m[1]),
    );
    const generated = new Set(everyAlarm());

    // Assess
    expect(generated.size).toBeGreaterThanOrEqual(9);
    expect(new Set(rows)).toEqual(generated);
  });

  it("gives the thresholds of every stage exactly as serverless.yml's params set them", () => {
    // Prepare
    const { default: defaults = {}, prod = {} } = params();
    const rows = table("Thresholds per stage");

    // Assess
    expect(rows.map(([name = ""]) => name.replaceAll("`", "")).sort()).toEqual(
      Object.keys(defaults).sort(),
    );
    for (const [name = "", fallback = "", production = ""] of rows) {
      const key = name.replaceAll("`", "");
      expect(fallback.replaceAll("`", ""), key).toBe(defaults[key]);
      expect(production.replaceAll("`", ""), key).toBe(prod[key] ?? defaults[key]);
    }
  });

  it("lists every objective setting with the default the code applies, and no other", () => {
    // Prepare: the table under "Objectives and the error budget"
    const section = doc.split("## Objectives and the error budget")[1]?.split("\n### ")[0] ?? "";
    const rows = section
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) => line.split("|").map((cell) => cell.trim()));

    // Assess
    expect(rows.map((r) => r[1]?.replaceAll("`", ""))).toEqual([...OBJECTIVE_SETTINGS, "routes"]);
    for (const name of OBJECTIVE_SETTINGS)
      expect(rows.find((r) => r[1] === `\`${name}\``)?.[2], name).toBe(
        String(OBJECTIVE_TABLE[name].default),
      );
  });

  it("names only alarms that exist in the scenario table", () => {
    // Prepare
    const known = new Set([
      ...everyAlarm(),
      ...["GetOrder", "CreateOrder", "GetInvoice", "Health"].flatMap((fn) => [
        `${fn}ErrorsAlarm`,
        `${fn}ThrottlesAlarm`,
      ]),
    ]);
    const named = table("How the alarms are proven").flatMap(([, fires = ""]) =>
      [...fires.matchAll(/`(\w+Alarm)`/g)].map((m) => m[1] ?? ""),
    );

    // Assess
    expect(named.length).toBeGreaterThanOrEqual(15);
    expect(named.filter((id) => !known.has(id))).toEqual([]);
  });
});
