/**
 * Debian's Chromium, driven by playwright-core, for the local dashboard's tests: headless, no
 * sandbox (tests run as root in CI), nothing in the background that reaches the network, and a
 * fresh profile per launch. Nothing here downloads a browser.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface Browser {
  readonly context: BrowserContext;
  readonly close: () => Promise<void>;
}

/**
 * Launches Chromium with a profile of its own, and any further switches (such as
 * `--host-resolver-rules`); `close` ends it and removes the profile.
 *
 * @example
 * const browser = await launchChromium();
 * try { const page = await browser.context.newPage(); ... } finally { await browser.close(); }
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), "lambda-vitals-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...extraArgs,
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
