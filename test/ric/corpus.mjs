/**
 * The event corpus: what each function is invoked with. Events from the four front doors for
 * every route (with the example orders' expected statuses), random paths, malformed and non-HTTP
 * events, odd deadlines, and the /health runs for the fake CloudWatch's modes and for Managed
 * Instances. Every random choice comes from a seeded generator, so RIC_E2E_SEED repeats a run.
 */

/**
 * A small seeded generator (mulberry32): the same seed gives the same corpus.
 *
 * @example
 * const rand = prng(12345);
 * rand(); // a number in [0, 1), the same on every run with seed 12345
 */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function traceHeader(rand) {
  const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${hex(24)}`;
  return { root, header: `Root=${root};Parent=${hex(16)};Sampled=1` };
}

const ORDER_OK = JSON.stringify({ channel: "web", lines: [{ sku: "SKU-1", quantity: 2 }] });

/** Expected status for the example orders handlers; undefined means "any valid status". */
function expectedStatus(fn, door, params, body) {
  const name = fn.handler.split(".").pop();
  const pathParams = door === "http-api" || door === "rest-api";
  if (name === "getOrder") return pathParams && params.id === "1001" ? 200 : 404;
  if (name === "getInvoice") return pathParams && params.id === "1001" ? 500 : 404;
  if (name === "createOrder") return body === ORDER_OK || body === "b64" ? 201 : 400;
  return undefined;
}

function concretize(template) {
  const names = [...template.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]);
  if (names.length === 0) return [{ path: template, params: {} }];
  return ["1001", "9999"].map((value) => {
    const params = Object.fromEntries(names.map((n) => [n, value]));
    return { path: template.replace(/\{([^}+]+)\+?\}/g, value), params };
  });
}

function frontDoorEvent(F, door, { method, path, route, params, body, base64 }) {
  const request = { method, path, route, body, isBase64Encoded: base64 };
  const pp = params !== undefined && Object.keys(params).length > 0 ? params : undefined;
  switch (door) {
    case "http-api":
      return { ...F.httpApiEvent(request), ...(pp ? { pathParameters: pp } : {}) };
    case "rest-api":
      return { ...F.restApiEvent(request), pathParameters: pp ?? null };
    case "function-url":
      return F.functionUrlEvent(request);
    case "alb":
      return F.albEvent(request);
    default:
      return F.albEvent({ ...request, multiValue: true });
  }
}

const DOORS = ["http-api", "rest-api", "function-url", "alb", "alb-multi"];

/**
 * Every route of the function from every front door, with sample path parameters and, for
 * POST/PUT/PATCH, good, base64, invalid and empty bodies.
 *
 * @example
 * httpSpecs(fixtures.events, fn, prng(1)); // [{ name: "http-api GET /orders/1001", expect: 200, ... }]
 */
export function httpSpecs(F, fn, rand) {
  const specs = [];
  for (const route of fn.routes) {
    const method = route.method === "ANY" ? "GET" : route.method;
    const bodies = ["POST", "PUT", "PATCH"].includes(method)
      ? [ORDER_OK, "b64", '{"channel":"web","lines":[]}', "{not json", "[]", ""]
      : [undefined];
    for (const sample of concretize(route.path)) {
      for (const door of DOORS) {
        for (const raw of bodies) {
          const base64 = raw === "b64";
          const body = base64 ? Buffer.from(ORDER_OK).toString("base64") : raw;
          specs.push({
            name: `${door} ${method} ${sample.path}${raw === undefined ? "" : ` body=${JSON.stringify(raw).slice(0, 24)}`}`,
            kind: "front-door",
            http: true,
            payload: frontDoorEvent(F, door, {
              method,
              path: sample.path,
              route: route.path,
              params: sample.params,
              body,
              base64,
            }),
            expect: expectedStatus(fn, door, sample.params, raw),
            trace: traceHeader(rand),
          });
        }
      }
    }
  }
  return specs;
}

function randomPath(rand, token) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const seg = () =>
    Array.from({ length: 1 + Math.floor(rand() * 10) }, () =>
      pick("abcdefghijklmnopqrstuvwxyz0123456789-_.~".split("")),
    ).join("");
  const unicode = [
    "ünïcødé",
    "日本語",
    "🚀",
    "%F0%9F%9A%80",
    "ç",
    "\u200b",
    "Ω≈ç√",
    "\u00e9\u0301",
  ];
  const odd = ["..", "%2e%2e", "", " ", "a b", "%00", "{id}", "*", "$default", "?q=1", ";x=1"];
  const kind = Math.floor(rand() * 5);
  const n = 1 + Math.floor(rand() * 6);
  const parts = Array.from({ length: n }, () =>
    kind === 1 ? pick(unicode) : kind === 2 ? pick(odd) : seg(),
  );
  parts.splice(Math.floor(rand() * (parts.length + 1)), 0, token);
  if (kind === 3) parts.push("x".repeat(2000 + Math.floor(rand() * 20000)));
  if (kind === 4) return `//${parts.join("//")}/`;
  return `/${parts.join("/")}`;
}

/**
 * Random paths (unicode, odd segments, very long) and methods from every front door. Each path
 * holds a token that must never reach the Route dimension.
 *
 * @example
 * randomSpecs(fixtures.events, prng(1), 24); // 24 specs, each with `token`
 */
export function randomSpecs(F, rand, count) {
  const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "FOO", "get"];
  const specs = [];
  for (let i = 0; i < count; i++) {
    const token = `zq${Math.floor(rand() * 1e9).toString(36)}`;
    const path = randomPath(rand, token);
    const method = methods[Math.floor(rand() * methods.length)];
    const door = DOORS[i % DOORS.length];
    const route = i % 2 === 0 ? "$default" : "/{proxy+}";
    specs.push({
      name: `random ${door} ${method} ${JSON.stringify(path.slice(0, 40))}${path.length > 40 ? `…(${path.length})` : ""}`,
      kind: "random",
      http: true,
      token,
      payload: frontDoorEvent(F, door, { method, path, route, body: undefined }),
      trace: traceHeader(rand),
    });
  }
  return specs;
}

/**
 * Events no front door sends (null, strings, arrays, half events, deep nesting, `__proto__`),
 * a payload that is not JSON (`ricLevel`: the RIC itself may refuse it), and schedule and SQS
 * events.
 *
 * @example
 * malformedSpecs(fixtures.events, prng(1)).map((s) => s.kind); // ["malformed", …, "sqs"]
 */
export function malformedSpecs(F, rand) {
  const deep = {};
  let cursor = deep;
  for (let i = 0; i < 200; i++) {
    cursor.next = {};
    cursor = cursor.next;
  }
  const values = [
    ["null", null],
    ["a string", "GET /orders/1001"],
    ["{}", {}],
    ['{"version":"2.0"}', { version: "2.0" }],
    ["[]", []],
    ["[1,2,3]", [1, 2, 3]],
    ["42", 42],
    ["true", true],
    ['{"version":"1.0"}', { version: "1.0" }],
    ['{"httpMethod":123,"path":{}}', { httpMethod: 123, path: {} }],
    ['{"requestContext":null}', { requestContext: null }],
    [
      '{"version":"2.0","requestContext":{"http":{}}}',
      { version: "2.0", requestContext: { http: {} } },
    ],
    ['{"requestContext":{"elb":{}},"headers":"x"}', { requestContext: { elb: {} }, headers: "x" }],
    ["deeply nested", deep],
    ["__proto__ keys", JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{}}}')],
  ];
  const specs = values.map(([name, payload], i) => ({
    name: `malformed ${name}`,
    kind: "malformed",
    http: false,
    payload,
    trace: i % 3 === 0 ? undefined : traceHeader(rand),
  }));
  specs.push({
    name: "malformed: body is not JSON",
    kind: "not-json",
    http: false,
    raw: "{not json",
    ricLevel: true,
    trace: traceHeader(rand),
  });
  specs.push({
    name: "schedule event",
    kind: "schedule",
    http: false,
    payload: F.scheduleEvent(),
    trace: traceHeader(rand),
  });
  specs.push({
    name: "sqs event",
    kind: "sqs",
    http: false,
    payload: F.sqsEvent(['{"a":1}']),
    trace: traceHeader(rand),
  });
  return specs;
}

/**
 * The function's first route with deadlines already past, or 1, 50 and 300 ms away.
 *
 * @example
 * deadlineSpecs(fixtures.events, fn, prng(1)).map((s) => s.deadlineOffset); // [-1000, 1, 50, 300]
 */
export function deadlineSpecs(F, fn, rand) {
  const route = fn.routes[0];
  if (route === undefined) return [];
  const [sample] = concretize(route.path);
  const method = route.method === "ANY" ? "GET" : route.method;
  return [-1000, 1, 50, 300].map((offset) => ({
    name: `deadline now${offset < 0 ? "" : "+"}${offset}ms`,
    kind: "deadline",
    http: true,
    deadlineOffset: offset,
    payload: frontDoorEvent(F, "http-api", {
      method,
      path: sample.path,
      route: route.path,
      params: sample.params,
      body: method === "POST" ? ORDER_OK : undefined,
    }),
    trace: traceHeader(rand),
  }));
}

/**
 * Every invocation gets a trace header, and no two share a root.
 *
 * @example
 * withDistinctTraces(specs, prng(1)).every((s) => s.trace !== undefined); // true
 */
export function withDistinctTraces(specs, rand) {
  const roots = new Set();
  return specs.map((spec) => {
    let trace = spec.trace ?? traceHeader(rand);
    while (roots.has(trace.root)) trace = traceHeader(rand);
    roots.add(trace.root);
    return { ...spec, trace };
  });
}

/**
 * For the Managed Instances pass: /health from every front door (each one waits on the slow fake
 * CloudWatch), /health/live, schedule events (their HealthCheck lines must carry their own request
 * id while others run) and a few non-HTTP events, interleaved.
 *
 * @example
 * concurrentHealthSpecs(fixtures.events, healthFn, prng(1)).length; // 64
 */
export function concurrentHealthSpecs(F, fn, rand) {
  const paths = fn.routes.map((r) => r.path).filter((p) => !p.includes("{"));
  const main = paths.find((p) => p === "/health") ?? paths[0] ?? "/health";
  const live = paths.find((p) => p !== main);
  const odd = [null, {}, "GET /health", F.sqsEvent(['{"a":1}'])];
  const specs = [];
  for (let i = 0; i < 64; i++) {
    const door = DOORS[i % DOORS.length];
    if (fn.scheduled && i % 8 === 3) {
      specs.push({
        name: `schedule event #${i}`,
        kind: "schedule",
        http: false,
        payload: F.scheduleEvent(),
      });
    } else if (i % 16 === 7) {
      specs.push({
        name: `malformed #${i} ${JSON.stringify(odd[(i >> 4) % odd.length]).slice(0, 30)}`,
        kind: "malformed",
        http: false,
        payload: odd[(i >> 4) % odd.length],
      });
    } else if (live !== undefined && i % 6 === 5) {
      specs.push({
        name: `${door} GET ${live} #${i}`,
        kind: "health",
        http: true,
        payload: frontDoorEvent(F, door, { method: "GET", path: live, route: live }),
      });
    } else {
      specs.push({
        name: `${door} GET ${main} #${i}`,
        kind: "health",
        http: true,
        healthPath: true,
        payload: frontDoorEvent(F, door, { method: "GET", path: main, route: main }),
      });
    }
  }
  return withDistinctTraces(specs, rand);
}

/**
 * One /health session per fake CloudWatch mode: /health first with `firstDeadlineMs` left (no
 * cached result may answer it), again, its other paths, the other front doors, and the schedule.
 *
 * @example
 * healthSpecs(fixtures.events, healthFn, prng(1), 1500)[0].firstHealth; // true
 */
export function healthSpecs(F, fn, rand, firstDeadlineMs) {
  const specs = [];
  const paths = fn.routes.map((r) => r.path).filter((p) => !p.includes("{"));
  const main = paths.find((p) => p === "/health") ?? paths[0] ?? "/health";
  const make = (door, path, extra = {}) => ({
    name: `${door} GET ${path}${extra.deadlineOffset ? ` deadline +${extra.deadlineOffset}ms` : ""}`,
    kind: "health",
    http: true,
    healthPath: path === main,
    payload: frontDoorEvent(F, door, { method: "GET", path, route: path, body: undefined }),
    trace: traceHeader(rand),
    ...extra,
  });
  // First, so that no cached result answers it: the checks must fit the invocation's own time.
  specs.push(make("http-api", main, { firstHealth: true, deadlineOffset: firstDeadlineMs }));
  specs.push(make("http-api", main));
  for (const path of paths.filter((p) => p !== main)) specs.push(make("http-api", path));
  for (const door of ["rest-api", "function-url", "alb"]) specs.push(make(door, main));
  if (fn.scheduled) {
    specs.push({
      name: "schedule event",
      kind: "schedule",
      http: false,
      payload: F.scheduleEvent(),
      trace: traceHeader(rand),
    });
  }
  return specs;
}
