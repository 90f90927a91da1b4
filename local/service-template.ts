/**
 * The resolved service as `serverless deploy` would see it, from `serverless print`: the
 * generated resources (dashboard, alarms) and the functions with their events. The same
 * variables resolve the same way (`--stage`, params, `infra/resources.cjs`), so the page draws
 * the dashboard of the template, not a copy of its generator's logic.
 */
import { spawn } from "node:child_process";

export interface ServiceTemplate {
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  readonly resources: Readonly<
    Record<string, { readonly Type?: unknown; readonly Properties?: unknown }>
  >;
  /** Deployed names of the functions that a `schedule` event invokes. */
  readonly scheduledFunctions: readonly string[];
}

/**
 * Runs `serverless print --format json` and reads what the local tools need from it.
 *
 * @example
 * const template = await printServiceTemplate({ cli, cwd: process.cwd(), env: process.env, stage: "dev" });
 * template.region; // "us-east-1"
 */
export async function printServiceTemplate(options: {
  readonly cli: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stage: string | undefined;
}): Promise<ServiceTemplate> {
  const args = [
    options.cli,
    "print",
    "--format",
    "json",
    ...(options.stage ? ["--stage", options.stage] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) {
    throw new Error(
      `serverless print exited with ${code}: ${Buffer.concat(err).toString("utf8").trim().slice(-2000)}`,
    );
  }
  return readServiceTemplate(Buffer.concat(out).toString("utf8"));
}

/**
 * Reads `serverless print --format json` output; throws with a clear message when it is not the
 * resolved configuration of a service with resources.
 *
 * @example
 * readServiceTemplate(printed).resources.VitalsDashboard?.Type; // "AWS::CloudWatch::Dashboard"
 */
export function readServiceTemplate(printed: string): ServiceTemplate {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(printed) as Record<string, unknown>;
  } catch {
    throw new Error("serverless print did not print JSON");
  }
  const provider = (config.provider ?? {}) as Record<string, unknown>;
  const service = config.service;
  const stage = provider.stage;
  const region = provider.region;
  if (typeof service !== "string" || typeof stage !== "string" || typeof region !== "string") {
    throw new Error(
      "serverless print: service, provider.stage and provider.region must be strings",
    );
  }
  const resources = ((config.resources ?? {}) as { Resources?: unknown }).Resources;
  if (typeof resources !== "object" || resources === null) {
    throw new Error("serverless print: the configuration has no resources.Resources");
  }
  const functions = (config.functions ?? {}) as Record<
    string,
    { name?: unknown; events?: unknown }
  >;
  const scheduledFunctions = Object.entries(functions)
    .filter(
      ([, fn]) =>
        Array.isArray(fn.events) &&
        fn.events.some(
          (event) => typeof event === "object" && event !== null && "schedule" in event,
        ),
    )
    .map(([key, fn]) => (typeof fn.name === "string" ? fn.name : `${service}-${stage}-${key}`));
  return {
    service,
    stage,
    region,
    resources: resources as ServiceTemplate["resources"],
    scheduledFunctions,
  };
}
