/**
 * Calling a handler as Lambda's Node.js runtime does, whichever style it is written in.
 */
import type { Context, Handler } from "aws-lambda";

/**
 * Calls a handler with a callback and settles with the first result it delivers, as Lambda's
 * Node.js runtime does: `callback(error)` or a rejected promise is a failure (a string error
 * becomes an `Error`, as Lambda makes it), `callback(null, result)` or a resolved promise the
 * result; whatever comes later is ignored. A handler that declares a callback (three parameters,
 * the test the nodejs24.x runtime uses to refuse them) may return anything: only its callback or
 * a returned `Promise` counts, as on nodejs22.x. Any other handler's return value is its result, promise or not, as
 * on nodejs24.x, which awaits it. A synchronous throw is a failure too.
 *
 * @example
 * const result = await invoke((event, context, callback) => callback(null, 42), {}, context); // 42
 */
export function invoke<E, R>(handler: Handler<E, R>, event: E, context: Context): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const returned = handler(event, context, (error, result) => {
      if (error === undefined || error === null) resolve(result as R);
      else reject(typeof error === "string" ? new Error(error) : error);
    });
    // resolve() adopts a returned promise, and does nothing once the callback has settled.
    if (handler.length < 3 || returned instanceof Promise) resolve(returned as R | Promise<R>);
  });
}
