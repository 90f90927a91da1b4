/**
 * The plugin stops `serverless package` when it cannot keep what the service had, under
 * Serverless v3 and v4 alike: a role given by ARN, a logical id of the service's own that the
 * plugin generates too, a queue function without its sqs permissions; the message is printed
 * as Serverless prints its own configuration errors, without a stack trace. And `--param
 * alarmEmail` subscribes the address in a service whose serverless.yml does not map it.
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { copyProject, type ServerlessMajor } from "../fixtures/project-copy";
import { packageService } from "./package";

/** A line of a JavaScript stack trace (`    at refuse (/.../plugin.cjs:12:3)`). */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** Packages a copy whose serverless.yml got `edit`, and returns what the CLI printed on failing. */
async function refusal(major: ServerlessMajor, edit: (yml: string) => string): Promise<string> {
  const copy = await copyProject("plugin", { serverless: major });
  try {
    const file = join(copy.dir, "serverless.yml");
    await writeFile(file, edit(await readFile(file, "utf8")));
    const run = promisify(execFile)(process.execPath, [copy.cli, "package"], {
      cwd: copy.dir,
      env: copy.env,
      timeout: 90_000,
    });
    const failure: { stdout?: string; stderr?: string } = await run.then(
      () => ({}),
      (error: { stdout?: string; stderr?: string }) => error,
    );
    return `${failure.stdout ?? ""}${failure.stderr ?? ""}`;
  } finally {
    await copy.remove();
  }
}

describe("serverless package with the plugin", () => {
  it("stops on a provider role given by ARN, under v3, saying where its statements go", async () => {
    // Act
    const output = await refusal(3, (yml) =>
      yml.replace(
        "  httpApi:\n",
        "  iam:\n    role: arn:aws:iam::123456789012:role/shared\n  httpApi:\n",
      ),
    );

    // Assess
    expect(output).toMatch(
      /provider\.iam\.role: the role given by ARN \(arn:aws:iam::123456789012:role\/shared\)/,
    );
    expect(output).toMatch(/list its statements under provider\.iam\.role\.statements/);
  });

  it("stops, under v4, when the service's own resources use a logical id it generates", async () => {
    // Act
    const output = await refusal(
      4,
      // beside the template's own resources.extensions
      (yml) =>
        yml.replace(
          /^resources:\n/m,
          "resources:\n  Resources:\n    VitalsDashboard:\n      Type: AWS::SNS::Topic\n      Properties: {}\n",
        ),
    );

    // Assess
    expect(output).toMatch(
      /resources\.Resources\.VitalsDashboard: lambda-vitals generates this logical id; rename yours/,
    );
  });

  it.each([3, 4] as const)(
    "names the sqs permissions a queue function misses, without a stack trace (v%i)",
    async (major) => {
      // Act
      const output = await refusal(major, (yml) =>
        yml.replace(
          "functions:\n",
          "functions:\n  worker:\n    handler: functions/get-order.getOrder\n    events:\n" +
            "      - sqs: arn:aws:sqs:us-east-1:123456789012:jobs\n",
        ),
      );

      // Assess
      expect(output).toContain(
        "functions.worker: its sqs event needs sqs:ReceiveMessage, sqs:DeleteMessage, " +
          "sqs:GetQueueAttributes",
      );
      expect(output).toContain("list them under custom.vitals.permissions.worker");
      expect(output).not.toMatch(STACK_FRAME);
    },
    120_000,
  );

  it.each([3, 4] as const)(
    "subscribes --param alarmEmail in a service that does not map it (v%i)",
    async (major) => {
      // Prepare: the template without its alarmEmail param and without custom.vitals.alarms.email
      const unmapped = async (copy: { dir: string }) => {
        const file = join(copy.dir, "serverless.yml");
        const yml = await readFile(file, "utf8");
        const without = yml
          .replace('    alarmEmail: ""\n', "")
          .replace(/ {6}email: \$\{param:alarmEmail\}\n/, "");
        expect(without).not.toMatch(/\$\{param:alarmEmail\}|^ +alarmEmail:/m);
        await writeFile(file, without);
      };

      // Act
      const { template } = await packageService(["--param", "alarmEmail=x@example.com"], {
        serverless: major,
        arrange: unmapped,
      });

      // Assess
      const subscription = template.Resources.AlarmEmailSubscription;
      expect(subscription?.Properties?.Endpoint).toBe("x@example.com");
      expect(template.Resources.AlarmTopic?.Type).toBe("AWS::SNS::Topic");
    },
    120_000,
  );
});
