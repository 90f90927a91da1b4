/**
 * The library as users install it: `npm pack` (whose `prepack` builds dist/ with tsup), unpacked
 * into a `node_modules/lambda-vitals` of its own, and an esbuild plugin that resolves
 * `lambda-vitals` and its subpaths there instead of through tsconfig.json's `paths` (which point
 * the template at its sources). So the benchmark bundles what `npm install lambda-vitals` gives.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const NAME = /^lambda-vitals(?:\/|$)/;

/**
 * Packs the tree at `root` and unpacks the tarball; returns the folder that holds
 * `node_modules/lambda-vitals`, or undefined when the tree is not a package yet (a revision from
 * before the package, whose variants then bundle its sources).
 *
 * @example
 * const home = installPackage("/work/main"); // "/tmp/vitals-package-…"
 */
export function installPackage(root) {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  if (manifest.name !== "lambda-vitals" || manifest.exports === undefined) return undefined;
  const home = mkdtempSync(join(tmpdir(), "vitals-package-"));
  const into = join(home, "node_modules/lambda-vitals");
  mkdirSync(into, { recursive: true });
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", home], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const tarball = join(home, packed.trim().split("\n").at(-1));
  execFileSync("tar", ["-xzf", tarball, "-C", into, "--strip-components=1"]);
  if (!existsSync(join(into, "dist/index.mjs"))) {
    throw new Error(`npm pack in ${root} gave no dist/index.mjs`);
  }
  return home;
}

/**
 * An esbuild plugin that resolves `lambda-vitals` from the unpacked package in `home`, or, for a
 * tree from before the package (`home` undefined), from `sources`: that tree's library entry.
 *
 * @example
 * build({ ..., plugins: [fromPackage(home, join(root, "functions/vitals/index.ts"))] });
 */
export function fromPackage(home, sources) {
  return {
    name: "lambda-vitals-from-package",
    setup(build) {
      build.onResolve({ filter: NAME }, async (args) => {
        if (args.pluginData === "from-package") return undefined;
        if (home === undefined) {
          if (args.path !== "lambda-vitals") {
            throw new Error(`${args.path}: this revision has no package to resolve it from`);
          }
          return { path: sources };
        }
        const found = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: home,
          pluginData: "from-package",
        });
        if (found.errors.length > 0) return { errors: found.errors };
        return { path: found.path };
      });
    },
  };
}
