/**
 * `npm start`: serverless-offline on 127.0.0.1 as a child process, its output read line by line
 * into the local metric store, one readable line per invocation in the terminal, the raw EMF in
 * `.serverless/emf.log`, the dashboard page, and a local CloudWatch for `/health` to read.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replayEvaluator } from "./alarm-states";
import { startApiGate } from "./api-gate";
import { type DeployedDashboard, readDeployedDashboard } from "./deployed-dashboard";
import { startDevServer } from "./dev-server";
import { generatedResources, loadGenerator } from "./generated-stack";
import { createIntake, type Intake } from "./intake";
import { createLineSplitter } from "./line-splitter";
import { createMetricStore } from "./metric-store";
import { isRouteTableLine, routeLines } from "./route-table";
import { printServiceTemplate, type ServiceTemplate } from "./service-template";
import {
  COLOR,
  formatInvocation,
  formatRejection,
  formatWarning,
  oneLine,
  PLAIN,
  type Style,
} from "./terminal";

export interface StartOptions {
  readonly httpPort: number;
  readonly lambdaPort: number;
  readonly dashboardPort: number;
  readonly stage: string | undefined;
  /** Print the functions' output as it is, raw EMF included, instead of one line per request. */
  readonly raw: boolean;
}

const USAGE =
  "usage: npm start -- [--httpPort 3000] [--lambdaPort 3002] [--dashboardPort 3005] [--stage dev] [--raw]";

/**
 * Reads `npm start`'s flags; throws with the usage line on anything it does not know.
 *
 * @example
 * parseStartOptions(["--httpPort", "4000", "--raw"]); // { httpPort: 4000, ..., raw: true }
 */
export function parseStartOptions(argv: readonly string[]): StartOptions {
  const options = {
    httpPort: 3000,
    lambdaPort: 3002,
    dashboardPort: 3005,
    stage: undefined as string | undefined,
    raw: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] ?? "";
    const [name, inline] = flag.includes("=") ? flag.split(/=(.*)/s, 2) : [flag, undefined];
    const value = () => {
      const given = inline ?? argv[++i];
      if (given === undefined || given === "") throw new Error(`${name} needs a value\n${USAGE}`);
      return given;
    };
    const port = () => {
      const text = value();
      const number = Number(text);
      if (!Number.isInteger(number) || number < 0 || number > 65535) {
        throw new Error(`${name} must be a port number (0 to 65535), got "${text}"\n${USAGE}`);
      }
      return number;
    };
    switch (name) {
      case "--httpPort":
        options.httpPort = port();
        break;
      case "--lambdaPort":
        options.lambdaPort = port();
        break;
      case "--dashboardPort":
        options.dashboardPort = port();
        break;
      case "--stage":
        options.stage = value();
        break;
      case "--raw":
        options.raw = true;
        break;
      default:
        throw new Error(`unknown option "${flag}"\n${USAGE}`);
    }
  }
  return options;
}

/** serverless-offline's own two lines per request; the invocation line says it all already. */
const OFFLINE_REQUEST_LOG = [
  /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) \S+ \(λ: [^)]+\)$/,
  /^\(λ: [^)]+\) RequestId: \S+ {2}Duration: /,
];

/**
 * Runs `npm start` until SIGINT or SIGTERM, or until serverless-offline exits.
 *
 * @example
 * await startLocal({ root: process.cwd(), argv: process.argv.slice(2) });
 */
export async function startLocal(context: {
  readonly root: string;
  readonly argv: readonly string[];
}): Promise<number> {
  const options = parseStartOptions(context.argv);
  const { root } = context;
  const cli = join(root, "node_modules", "serverless", "bin", "serverless.js");
  const out = process.stdout;
  const style: Style = out.isTTY && process.env.NO_COLOR === undefined ? COLOR : PLAIN;
  const store = createMetricStore();
  const intake = createIntake(store, Date.now);
  let dashboard: DeployedDashboard | Error | undefined;
  const server = await startDevServer({
    root,
    port: options.dashboardPort,
    store,
    counts: intake.counts,
    invocations: intake.invocations,
    dashboard: () => dashboard,
    evaluator: replayEvaluator,
    now: Date.now,
  });
  mkdirSync(join(root, ".serverless"), { recursive: true });
  const emfLogPath = join(root, ".serverless", "emf.log");
  const emfLog = createWriteStream(emfLogPath, { flags: "w" });

  // Real credentials never reach the local endpoint: the child gets dummy ones, and only it.
  const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _token, ...inherited } = process.env;
  const env = {
    ...inherited,
    AWS_ENDPOINT_URL_CLOUDWATCH: server.url,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  };
  // serverless-offline answers any Host and grants any Origin: it listens on Unix sockets that
  // only this user can reach, and the gates on the ports asked for decide what gets through.
  const sockets = mkdtempSync(join(tmpdir(), "lambda-vitals-"));
  const socketOf = { http: join(sockets, "http.sock"), lambda: join(sockets, "lambda.sock") };
  const api = await startApiGate(options.httpPort, socketOf.http);
  const invoke = await startApiGate(options.lambdaPort, socketOf.lambda);
  const shownAddress = (text: string) =>
    text
      .replaceAll(`127.0.0.1:${socketOf.http}`, `127.0.0.1:${api.port}`)
      .replaceAll(`127.0.0.1:${socketOf.lambda}`, `127.0.0.1:${invoke.port}`);
  const stageArgs = options.stage === undefined ? [] : ["--stage", options.stage];
  const child = spawn(
    process.execPath,
    [
      cli,
      "offline",
      "start",
      "--host",
      "127.0.0.1",
      "--httpPort",
      socketOf.http,
      "--lambdaPort",
      socketOf.lambda,
      "--noPrependStageInUrl",
      ...stageArgs,
    ],
    // Same process group as the launcher: Ctrl-C in the terminal reaches serverless and its
    // esbuild too, and stopping the launcher's group stops everything it started.
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
  );

  const template = printServiceTemplate({
    cli,
    cwd: root,
    env: inherited,
    stage: options.stage,
  })
    .then(async (printed) => {
      const infra = await loadGenerator({ root, library: printed.vitals.library });
      dashboard = readDeployedDashboard(generatedResources(infra, printed), printed.region);
      server.changed();
      return printed;
    })
    // A template without a usable dashboard leaves the page saying why; the rest goes on.
    .catch((error: unknown) => {
      dashboard = error instanceof Error ? error : new Error(String(error));
      out.write(style.red(`dashboard unavailable: ${dashboard.message}\n`));
      server.changed();
      return undefined;
    });

  const show = (result: Intake) => {
    if (result.kind === "other") {
      // a handler's own log line: as it is under --raw, escaped otherwise like every other line
      return void out.write(`${options.raw ? result.raw : oneLine(result.raw)}\n`);
    }
    emfLog.write(`${result.raw}\n`);
    if (options.raw) return void out.write(`${result.raw}\n`);
    if (result.kind === "invocation") out.write(`${formatInvocation(result.invocation, style)}\n`);
    else if (result.kind === "rejected")
      out.write(`${formatRejection(result.reason, result.count, style)}\n`);
    else if (result.warning !== undefined) out.write(`${formatWarning(result.warning, style)}\n`);
  };
  const stdout = createLineSplitter((line) => {
    show(intake.read(line));
    server.changed();
  });
  child.stdout?.on("data", stdout.push);
  child.stdout?.on("end", stdout.flush);

  let ready = false;
  const box: string[] = [];
  const stderr = createLineSplitter((line) => {
    const text = shownAddress(line.kind === "line" ? line.text : `${line.head}…`);
    // The route table names the sockets: print it with the gates' addresses instead.
    if (!options.raw && isRouteTableLine(text)) {
      box.push(text);
      if (text.startsWith("└")) {
        for (const route of routeLines(box.splice(0), shownAddress)) {
          process.stderr.write(`${route}\n`);
        }
      }
      return;
    }
    // serverless-offline frames its request lines with blank ones; without them they go too
    if (!options.raw && (text === "" || OFFLINE_REQUEST_LOG.some((p) => p.test(text)))) return;
    process.stderr.write(`${text}\n`);
    if (!ready && text.startsWith("Server ready")) {
      ready = true;
      out.write(`\ndashboard: ${server.url}  (raw EMF: ${emfLogPath})\n\n`);
      void template.then((printed) => {
        if (printed !== undefined) return runSchedulesOnce(printed, invoke.port);
      });
    }
  });
  child.stderr?.on("data", stderr.push);
  child.stderr?.on("end", stderr.flush);

  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  const stop = () => child.kill("SIGTERM");
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const code = await exited;
  await Promise.all([server.close(), api.close(), invoke.close()]);
  rmSync(sockets, { recursive: true, force: true });
  await new Promise((resolve) => emfLog.end(resolve));
  return code;
}

/**
 * serverless-offline runs `schedule` events from the next whole minute on; one run at start
 * gives the health widget its first datapoint at once, as a deploy's first minute would.
 */
async function runSchedulesOnce(template: ServiceTemplate, lambdaPort: number): Promise<void> {
  for (const name of template.scheduledFunctions) {
    const event = {
      version: "0",
      id: crypto.randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: new Date().toISOString(),
      region: template.region,
      resources: [],
      detail: {},
    };
    try {
      const response = await fetch(
        `http://127.0.0.1:${lambdaPort}/2015-03-31/functions/${name}/invocations`,
        {
          method: "POST",
          body: JSON.stringify(event),
        },
      );
      await response.arrayBuffer();
    } catch (error) {
      process.stderr.write(`first scheduled run of ${name} failed: ${String(error)}\n`);
    }
  }
}
