import { describe, expect, it } from "vitest";
import { parseStartOptions } from "../../local/launcher";

describe("npm start's flags", () => {
  it("defaults to ports 3000, 3002 and 3005, the dev stage's default, and short lines", () => {
    expect(parseStartOptions([])).toEqual({
      httpPort: 3000,
      lambdaPort: 3002,
      dashboardPort: 3005,
      stage: undefined,
      raw: false,
    });
  });

  it("takes ports, the stage and --raw, as separate or as name=value", () => {
    expect(
      parseStartOptions([
        "--httpPort",
        "4000",
        "--lambdaPort=4002",
        "--dashboardPort",
        "0",
        "--stage",
        "pr-42",
        "--raw",
      ]),
    ).toEqual({ httpPort: 4000, lambdaPort: 4002, dashboardPort: 0, stage: "pr-42", raw: true });
  });

  it("stops with the usage line on an unknown flag, a missing value or a port that is not one", () => {
    expect(() => parseStartOptions(["--host", "0.0.0.0"])).toThrow(
      /unknown option "--host"\nusage: npm start --/,
    );
    expect(() => parseStartOptions(["--stage"])).toThrow("--stage needs a value");
    expect(() => parseStartOptions(["--httpPort", "http"])).toThrow(
      '--httpPort must be a port number (0 to 65535), got "http"',
    );
    expect(() => parseStartOptions(["--dashboardPort", "70000"])).toThrow(/must be a port number/);
  });

  it("names the command the user ran in its usage line: lambda-vitals dev in a service", () => {
    expect(() => parseStartOptions(["--host", "0.0.0.0"], "lambda-vitals dev")).toThrow(
      'unknown option "--host"\nusage: lambda-vitals dev [--httpPort 3000] [--lambdaPort 3002]' +
        " [--dashboardPort 3005] [--stage dev] [--raw]",
    );
  });
});
