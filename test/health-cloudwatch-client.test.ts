/**
 * What the CloudWatch checks say when CloudWatch cannot answer (functions/vitals/health/
 * cloudwatch-client.ts): a short, safe reason, never the error's own message, which may hold
 * account ids or ARNs.
 */
import { createRequire } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  describeFailure,
  SDK_MISSING,
  safeWord,
  sdkMissing,
} from "../functions/vitals/health/cloudwatch-client";

const http = (name: string, status: number) =>
  Object.assign(new Error("arn:aws:iam::123456789012:role/secret said no"), {
    name,
    $metadata: { httpStatusCode: status },
  });

describe("describeFailure", () => {
  it("names the operation, the HTTP status and the AWS error code, and not the message", () => {
    expect(describeFailure(http("Throttling", 400))).toBe(
      "CloudWatch GetMetricData failed: HTTP 400 Throttling",
    );
    expect(describeFailure(http("AccessDenied", 403), "DescribeAlarms")).toBe(
      "CloudWatch DescribeAlarms failed: HTTP 403 AccessDenied",
    );
    expect(describeFailure(http("no such word!", 500))).toBe(
      "CloudWatch GetMetricData failed: HTTP 500 Error",
    );
  });

  it("says what is not configured: the region, the credentials", () => {
    expect(describeFailure(new Error("Region is missing"))).toBe(
      "CloudWatch not configured: no AWS region",
    );
    expect(
      describeFailure(
        Object.assign(new Error("Could not load credentials"), {
          name: "CredentialsProviderError",
        }),
      ),
    ).toBe("CloudWatch not configured: no AWS credentials");
  });

  it("says unreachable for anything else, with a safe word for what it was", () => {
    expect(
      describeFailure(Object.assign(new Error("connect ECONNREFUSED"), { name: "TimeoutError" })),
    ).toBe("CloudWatch unreachable: TimeoutError");
    expect(describeFailure({ message: 42 })).toBe("CloudWatch unreachable: Error");
    // only a message that is a string is read, even one that would print as the region's
    expect(describeFailure({ message: ["Region is missing"] })).toBe(
      "CloudWatch unreachable: Error",
    );
    expect(describeFailure("a string")).toBe("CloudWatch unreachable: Error");
    expect(describeFailure(null)).toBe("CloudWatch unreachable: Error");
  });

  it("says which package to install when the SDK is missing", () => {
    const missing = new Error(SDK_MISSING);
    expect(describeFailure(missing)).toBe(SDK_MISSING);
    expect(sdkMissing(missing)).toBe(SDK_MISSING);
    expect(sdkMissing(new Error("another"))).toBeUndefined();
    expect(sdkMissing(SDK_MISSING)).toBeUndefined();
    expect(SDK_MISSING).toMatch(
      /^@aws-sdk\/client-cloudwatch is not installed: npm install @aws-sdk\/client-cloudwatch/,
    );
  });
});

describe("safeWord", () => {
  it("keeps an AWS-looking word and replaces anything else with Error", () => {
    expect(safeWord("Throttling")).toBe("Throttling");
    expect(safeWord("Partial.Result_2")).toBe("Partial.Result_2");
    expect(safeWord(`A${"b".repeat(63)}`)).toBe(`A${"b".repeat(63)}`);
    expect(safeWord(`A${"b".repeat(64)}`)).toBe("Error");
    expect(safeWord("2fast")).toBe("Error");
    expect(safeWord("has space")).toBe("Error");
    expect(safeWord(undefined)).toBe("Error");
  });
});

describe("cloudWatch, when the SDK fails to load", () => {
  afterEach(() => {
    vi.doUnmock("@aws-sdk/client-cloudwatch");
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  /** A package name that no one installed, so Node's own loaders fail to find it. */
  const ABSENT = "@aws-sdk/client-cloudwatch-not-installed";

  /**
   * `cloudWatch()`'s rejection when loading the SDK throws `failure`: the SDK is replaced by
   * __mocks__/@aws-sdk/client-cloudwatch.ts, which throws it, and the library is loaded afresh.
   */
  async function loadFailingWith(failure: unknown): Promise<unknown> {
    vi.resetModules();
    vi.stubGlobal("sdkLoadFailure", failure);
    vi.doMock("@aws-sdk/client-cloudwatch");
    const { cloudWatch } = await import("../functions/vitals/health/cloudwatch-client");
    return cloudWatch().then(
      () => "loaded",
      (error: unknown) => error,
    );
  }

  it.each([
    [
      "import()",
      "ERR_MODULE_NOT_FOUND",
      () =>
        import(/* @vite-ignore */ ABSENT).then(
          () => undefined,
          (error: unknown) => error,
        ),
    ],
    [
      "require(), as in a CommonJS bundle",
      "MODULE_NOT_FOUND",
      async () => {
        try {
          createRequire(import.meta.url)(ABSENT);
        } catch (error) {
          return error;
        }
      },
    ],
  ])(
    "says the SDK is not installed when %s cannot find it, with Node's error as the cause",
    async (_loader, code, notFound) => {
      // Prepare: Node's own error for a package that is not there
      const nodeError = await notFound();
      expect((nodeError as { code?: unknown }).code).toBe(code);

      // Act
      const failed = await loadFailingWith(nodeError);

      // Assess
      expect(failed).toBeInstanceOf(Error);
      expect((failed as Error).message).toBe(SDK_MISSING);
      expect((failed as Error).cause).toBe(nodeError);
      expect(sdkMissing(failed)).toBe(SDK_MISSING);
    },
  );

  it("rejects with the very value a failed load threw, even null", async () => {
    // Act
    const failed = await loadFailingWith(null);

    // Assess
    expect(failed).toBeNull();
  });

  it("rejects with the import's own error when it is not a missing package, and tries again next time", async () => {
    // Prepare: a module that throws while loading (a factory's error reaches the import wrapped
    // by Vitest, with no Node `code`: a load that fails for any reason but a missing package)
    vi.resetModules();
    vi.doMock("@aws-sdk/client-cloudwatch", () => {
      throw new Error("the SDK broke while loading");
    });
    const { cloudWatch } = await import("../functions/vitals/health/cloudwatch-client");

    // Act
    const failed = await cloudWatch().then(
      () => undefined,
      (error: unknown) => error,
    );
    vi.doUnmock("@aws-sdk/client-cloudwatch");
    const next = await cloudWatch();

    // Assess: not reported as a missing SDK; the failure was not kept
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).not.toBe(SDK_MISSING);
    expect(sdkMissing(failed)).toBeUndefined();
    expect(typeof next.module.CloudWatchClient).toBe("function");
    expect(next.client).toBeInstanceOf(next.module.CloudWatchClient);
  });
});
