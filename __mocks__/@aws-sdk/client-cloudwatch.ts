/**
 * `@aws-sdk/client-cloudwatch` as a service without it sees it: loading it fails.
 * test/health-cloudwatch-client.test.ts puts it in the SDK's place with
 * `vi.doMock("@aws-sdk/client-cloudwatch")` (Vitest takes a dependency's mock from this folder),
 * so that the library's own `import()` rejects with the failure as Node reported it. A mock
 * factory would not do: Vitest wraps what a factory throws in an error of its own, which has
 * Node's `code` only on its `cause`.
 *
 * It throws the value the test put in `globalThis.sdkLoadFailure` (with `vi.stubGlobal`): an
 * error Node gave for a package that is not there, through `import()` or through `require()`.
 */
throw (globalThis as { sdkLoadFailure?: unknown }).sdkLoadFailure;
