/**
 * The one error type for HTTP failures, and how any thrown value becomes a safe response body.
 */
import { reasonPhrase } from "./reason-phrases";

export interface HttpErrorOptions {
  /** The underlying error, kept for the log line and never sent to the caller. */
  readonly cause?: unknown;
  /** Whether `message` may reach the caller. Defaults to `status < 500`. */
  readonly expose?: boolean;
}

/**
 * An error that answers with an HTTP status. Throw it from a wrapped handler; the wrapper turns it
 * into a JSON response with that status.
 *
 * A class, unlike the rest of the library: a thrown value should be a real `Error`, with a stack
 * and `cause`, that `instanceof` recognises.
 *
 * @example
 * throw new HttpError(404, `order ${id} not found`);
 * throw new HttpError(503, "inventory unavailable", { cause: error }); // message not exposed
 */
export class HttpError extends Error {
  readonly status: number;
  readonly expose: boolean;

  constructor(status: number, message?: string, options: HttpErrorOptions = {}) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be an integer from 400 to 599, got ${status}`);
    }
    // Without a message, the reason phrase (`Not Found`) is what the caller reads.
    super(message ?? reasonPhrase(status), { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    // A boolean, as the shape the wrapper recognises needs, whatever a JavaScript caller passed.
    this.expose = Boolean(options.expose ?? status < 500);
  }
}

/** What the wrapper needs from any thrown value. */
export interface Failure {
  readonly status: number;
  /** Safe for the caller: the error's message only when it is exposed. */
  readonly publicMessage: string | undefined;
  /** For the log line. */
  readonly type: string;
  readonly message: string;
}

const MAX_MESSAGE = 512;

/**
 * Classifies a thrown value. An `HttpError`, and any error shaped like one or like the
 * `http-errors` package's (`status` or `statusCode` 400-599 and a boolean `expose`), keeps its
 * status, so errors thrown by other libraries map the same way.
 */
export function toFailure(thrown: unknown): Failure {
  try {
    return classify(thrown);
  } catch {
    // A thrown value can be a hostile object (a throwing getter, a Proxy): it still becomes a 500.
    return { status: 500, publicMessage: undefined, type: "Error", message: "" };
  }
}

function classify(thrown: unknown): Failure {
  const isError = thrown instanceof Error;
  const name = safeString(() => (isError ? thrown.name : typeof thrown));
  const message = clip(safeString(() => (isError ? thrown.message : String(thrown))) ?? "");
  // An HttpError has this shape too, and so has the http-errors package's, which `instanceof`
  // would not recognise. Checking the shape alone also keeps HttpError out of the bundles of
  // handlers that never throw one: an `instanceof HttpError` beside it adds 303 B (measured).
  const http = httpShapeOf(thrown);
  return {
    status: http?.status ?? 500,
    publicMessage: http?.expose === true ? message : undefined,
    type: name?.slice(0, 128) ?? "Error",
    message,
  };
}

/** The status and `expose` of a value shaped like an `HttpError`, else undefined. */
function httpShapeOf(thrown: unknown): { status: number; expose: boolean } | undefined {
  if (typeof thrown !== "object" || thrown === null) return undefined;
  const error = thrown as Record<string, unknown>;
  const expose = error.expose;
  if (typeof expose !== "boolean") return undefined;
  const status = error.status ?? error.statusCode;
  return Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599
    ? { status: status as number, expose }
    : undefined;
}

// A thrown value can be anything, including an object whose getters or toString throw.
function safeString(read: () => string): string | undefined {
  try {
    const value = read();
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}
