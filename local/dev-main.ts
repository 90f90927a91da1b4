/**
 * The package's `lambda-vitals` bin (scripts/build.mjs builds it into dist/cli.cjs, where
 * `__dirname` is the folder of the page's files).
 */
import { runCli } from "./dev";

runCli(process.argv.slice(2), process.cwd(), __dirname).then((code) => {
  process.exitCode = code;
});
