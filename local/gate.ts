/**
 * What `npm start` lets through to its servers. A web page the developer happens to have open may
 * send requests to 127.0.0.1 too, from its own origin or, by DNS rebinding, from its own host name
 * that now resolves to 127.0.0.1. A request is answered only when its `Host` is one of the names
 * the server was started under, and it did not come from another origin: no foreign `Origin`, and
 * no `Sec-Fetch-Site` other than `same-origin` or `none` (a `no-cors` GET carries no `Origin`, but
 * browsers send that header with every request). Requests without either, as curl and the SDK
 * send them, pass. Pure: the dev server and the API gates (api-gate.ts) call it.
 */

/** The host names a local server answers to: the address it prints, and `localhost`. */
export const LOCAL_HOSTS: readonly string[] = ["127.0.0.1", "localhost"];

/** Headers by lower-case name, as Node's `IncomingMessage.headers` holds them. */
type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Why a request to the server on `port` is refused, or undefined when it may be answered.
 *
 * @example
 * refusal({ host: "attacker.example:3000" }, 3000); // "Host attacker.example:3000 is not ..."
 * refusal({ host: "127.0.0.1:3000" }, 3000); // undefined
 */
export function refusal(headers: Headers, port: number): string | undefined {
  const allowed = LOCAL_HOSTS.map((name) => `${name}:${port}`);
  const host = single(headers.host);
  if (host === undefined || !allowed.includes(host.toLowerCase())) {
    return `Host ${JSON.stringify(host ?? "")} is not ${allowed.join(" or ")}`;
  }
  const origin = single(headers.origin);
  if (origin !== undefined && !allowed.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return `requests from the origin ${JSON.stringify(origin)} are not served`;
  }
  const site = single(headers["sec-fetch-site"]);
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return `requests from another site (Sec-Fetch-Site: ${site}) are not served`;
  }
  return undefined;
}

/**
 * A response's headers without the CORS ones: serverless-offline grants every `Origin` that asks,
 * credentials included, and no option turns that off.
 *
 * @example
 * withoutCors({ "access-control-allow-origin": "https://a.example", "content-type": "text/plain" });
 * // { "content-type": "text/plain" }
 */
export function withoutCors<T>(headers: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !name.toLowerCase().startsWith("access-control-")),
  );
}

/** A header sent twice is not one the check can trust. */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : "") : value;
}
