/**
 * Calling a handler as Lambda's Node.js runtime does, whichever style it is written in.
 */
import type { Callback, Context, Handler } from "aws-lambda";

/**
 * Calls a handler and returns its result, or throws its failure, as Lambda's Node.js runtime
 * would deliver them.
 *
 * A handler that declares a callback (three parameters: the test by which the nodejs24.x runtime
 * refuses them) is called as nodejs22.x calls it: the first of `callback(null, result)`,
 * `callback(error)` and a returned promise's settlement wins, and whatever comes later is ignored.
 * Any other handler's return value, a promise or not, is its result, as on nodejs24.x, which
 * passes no callback. It still gets one, for handlers that reach it through `arguments` or a rest
 * parameter; a call made before the handler returns counts. `callback("text")` fails with
 * `new Error("text")`, as Lambda makes it.
 *
 * @example
 * await invoke((event, context, callback) => callback(null, 42), {}, context); // 42
 * await invoke(async () => 42, {}, context); // 42
 */
export function invoke<E, R>(handler: Handler<E, R>, event: E, context: Context): R | Promise<R> {
  if (handler.length >= 3) return viaCallback(handler, event, context);
  // The common path, async handlers: no promise of its own, so it costs what awaiting does.
  let early: { readonly error: unknown; readonly result: R | undefined } | undefined;
  const returned = handler(event, context, (error, result) => {
    early ??= { error, result };
  });
  if (early === undefined) return returned as R | Promise<R>;
  if (failed(early.error)) throw asError(early.error);
  return early.result as R;
}

function viaCallback<E, R>(handler: Handler<E, R>, event: E, context: Context): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const callback: Callback<R> = (error, result) => {
      if (failed(error)) reject(asError(error));
      else resolve(result as R);
    };
    const returned = handler(event, context, callback);
    // A returned promise races the callback; anything else a callback handler returns is ignored.
    // resolve() adopts the promise, and does nothing once the callback has settled.
    if (returned instanceof Promise) resolve(returned);
  });
}

function failed(error: unknown): boolean {
  return error !== undefined && error !== null;
}

function asError(error: unknown): unknown {
  return typeof error === "string" ? new Error(error) : error;
}
