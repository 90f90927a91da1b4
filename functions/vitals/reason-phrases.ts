/**
 * HTTP reason phrases, for error bodies and ALB status lines. A module of its own so that
 * `HttpError` and the event sources both read it without importing each other.
 */

// The error statuses handlers use. Importing node:http for its table would load the whole HTTP
// stack at cold start (several milliseconds outside Lambda's own runtime).
const REASONS: Readonly<Record<number, string>> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  412: "Precondition Failed",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * The reason phrase of 200 or an error status; `Client Error` or `Server Error` for rarer ones.
 *
 * @example
 * reasonPhrase(404); // "Not Found"
 * reasonPhrase(499); // "Client Error"
 */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 500 ? "Client Error" : "Server Error");
}
