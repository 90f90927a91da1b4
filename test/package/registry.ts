/**
 * A package registry on 127.0.0.1 (verdaccio, with no uplink: it holds only what a test
 * publishes), so the package is installed the way users install it: `npm publish`, then
 * `npm install lambda-vitals`. Started in its own process group, its storage in a temporary
 * directory; `stop()` ends that group and removes the directory.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../fixtures/project-copy";

const run = promisify(execFile);
const VERDACCIO = join(PROJECT_ROOT, "node_modules", "verdaccio", "bin", "verdaccio");

export interface Registry {
  readonly url: string;
  /** `npm publish <tarball>` as a logged-in user of this registry. */
  readonly publish: (tarball: string) => Promise<void>;
  /** `npm install <names>` in `dir` from this registry alone. */
  readonly install: (dir: string, names: readonly string[]) => Promise<string>;
  readonly stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** npm's own settings from an outer `npm test` would point it elsewhere: only ours. */
function npmEnv(userconfig: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_config_")),
  );
  return { ...env, npm_config_userconfig: userconfig, npm_config_update_notifier: "false" };
}

async function waitUntilUp(url: string, child: ChildProcess): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}-/ping`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("verdaccio did not answer within 60 s");
}

/**
 * Starts the registry and logs a user in.
 *
 * @example
 * const registry = await startRegistry();
 * try { await registry.publish(tarball); } finally { await registry.stop(); }
 */
export async function startRegistry(): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), "lambda-vitals-registry-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(dir, "config.yaml");
  await writeFile(
    config,
    [
      `storage: ${join(dir, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(dir, "htpasswd")}`,
      "    max_users: 10",
      "uplinks: {}",
      "packages:",
      "  '**':",
      "    access: $all",
      "    publish: $authenticated",
      `listen: 127.0.0.1:${port}`,
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  const child = spawn(process.execPath, [VERDACCIO, "--config", config], {
    cwd: dir,
    detached: true,
    stdio: "ignore",
  });
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(url, child);
    const response = await fetch(`${url}-/user/org.couchdb.user:tester`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "tester", password: "tester-password", type: "user" }),
    });
    const { token } = (await response.json()) as { token?: string };
    if (!response.ok || token === undefined) throw new Error(`login: HTTP ${response.status}`);
    const userconfig = join(dir, "npmrc");
    const host = url.replace(/^http:/, "");
    await writeFile(
      userconfig,
      `registry=${url}\n${host}:_authToken=${token}\naudit=false\nfund=false\n`,
    );
    const env = npmEnv(userconfig);
    return {
      url,
      publish: async (tarball) => {
        await run("npm", ["publish", tarball, "--registry", url], { env, timeout: 120_000 });
      },
      install: async (target, names) => {
        const { stdout } = await run("npm", ["install", "--registry", url, ...names], {
          cwd: target,
          env,
          timeout: 180_000,
        });
        return stdout;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
