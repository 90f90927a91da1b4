/**
 * The resolved service as `serverless deploy` would see it, from `serverless print`: the stage,
 * the region, and what the lambda-vitals plugin reads to generate the stack (provider, functions
 * with their events, `custom.vitals`). The same variables resolve the same way (`--stage`,
 * params, files), so the generated resources (local/generated-stack.ts) are the deploy's.
 */
import { spawn } from "node:child_process";

export interface ServiceTemplate {
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  /** `provider`, as printed. */
  readonly provider: Readonly<Record<string, unknown>>;
  /** `functions`, as printed: as the service wrote them (see generated-stack.ts). */
  readonly functions: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** `custom.vitals`, as printed; `{}` when the service leaves it out. */
  readonly vitals: Readonly<Record<string, unknown>>;
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
 * resolved configuration of a service.
 *
 * @example
 * readServiceTemplate(printed).scheduledFunctions; // ["lambda-vitals-dev-health"]
 */
export function readServiceTemplate(printed: string): ServiceTemplate {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(printed) as Record<string, unknown>;
  } catch {
    throw new Error("serverless print did not print JSON");
  }
  const provider = mapping(config.provider, "provider");
  const service = config.service;
  const stage = provider.stage;
  const region = provider.region;
  if (typeof service !== "string" || typeof stage !== "string" || typeof region !== "string") {
    throw new Error(
      "serverless print: service, provider.stage and provider.region must be strings",
    );
  }
  const functions = Object.fromEntries(
    Object.entries(mapping(config.functions, "functions")).map(([key, fn]) => [
      key,
      mapping(fn, `functions.${key}`),
    ]),
  );
  const vitals = mapping(mapping(config.custom, "custom").vitals, "custom.vitals");
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
    provider,
    functions,
    vitals,
    scheduledFunctions,
  };
}

/** A section that is absent reads as empty, as Serverless reads it. */
function mapping(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`serverless print: ${where} is not a mapping`);
  }
  return value as Record<string, unknown>;
}
