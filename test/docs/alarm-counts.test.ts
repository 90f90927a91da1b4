/**
 * No page counts the alarms in its prose: how many there are depends on the service (its
 * functions, its APIs) and changes whenever an alarm is added, so a number written by hand goes
 * stale ("four alarms" stood in three pages while the stack made fifteen). `serverless package
 * --verbose` prints the count, made from the resources themselves. Not even "one composite
 * alarm": a service with objectives has a composite alarm per burn-rate pair and a ticket besides.
 * Fenced blocks (a command's transcript) are not prose and are not read here.
 */
import { describe, expect, it } from "vitest";
import { readServiceConfig } from "../../infra/service";
import { buildStack } from "../../infra/stack";
import { codeBlocks, documentation } from "../fixtures/markdown";
import { serviceConfig } from "../fixtures/service-config";

const ROOT = `${__dirname}/../..`;

const NUMBER =
  "\\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|twenty";
/**
 * "4 alarms", "four metric alarms", "one composite alarm": a number, at most one word, alarm(s).
 * A rate is not a count: "one alarm per function", "$0.10 per alarm".
 */
const COUNT = new RegExp(
  `\\b(${NUMBER})\\s+(?:(?!per\\b)([\\w-]+)\\s+)?alarms?\\b(?!\\s+per\\b)`,
  "gi",
);

/** The counts of alarms in a Markdown text's prose (fenced blocks blanked), with their lines. */
function alarmCounts(text: string): { phrase: string; line: number }[] {
  const lines = text.split("\n");
  for (const block of codeBlocks(text)) {
    const length = block.code.split("\n").length;
    // the fence lines and the code between them
    for (let i = block.line - 2; i < block.line + length; i++) lines[i] = "";
  }
  return lines.flatMap((line, index) =>
    [...line.matchAll(COUNT)].map((match) => ({ phrase: match[0], line: index + 1 })),
  );
}

/** The number of composite alarms the stack makes for a service shaped as `config` says. */
function compositeAlarms(config: ReturnType<typeof serviceConfig>): number {
  const { Resources } = buildStack(readServiceConfig(config));
  return Object.values(Resources).filter((r) => r.Type === "AWS::CloudWatch::CompositeAlarm")
    .length;
}

describe("counts of alarms in the documentation's prose", () => {
  it("are not written", () => {
    // Act
    const counts = documentation(ROOT).flatMap((file) =>
      alarmCounts(file.text).map(({ phrase, line }) => `${file.path}:${line} "${phrase}"`),
    );

    // Assess
    expect(counts).toEqual([]);
  });

  it("would be wrong if written: the composite alarms alone differ from one service to another", () => {
    // Prepare: the template's shape, with and without objectives
    const shapes = [
      serviceConfig(),
      {
        ...serviceConfig(),
        vitals: { ...(serviceConfig().vitals as Record<string, unknown>), objectives: false },
      },
    ];

    // Assess
    expect(new Set(shapes.map(compositeAlarms)).size).toBe(2);
  });

  it("finds a count written in words or digits, and leaves fenced transcripts alone", () => {
    // Prepare
    const text = [
      "The stack makes four alarms, and 13 metric alarms besides.",
      "One composite alarm pages. One alarm per function, at $0.10 per alarm.",
      "```text",
      "alarms   13 alarms",
      "```",
    ].join("\n");

    // Act
    const found = alarmCounts(text).map(({ phrase }) => phrase);

    // Assess
    expect(found).toEqual(["four alarms", "13 metric alarms", "One composite alarm"]);
  });
});
