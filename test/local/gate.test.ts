/**
 * What `npm start`'s servers answer: only the Host names they were started under, and no request
 * from another origin, with or without an `Origin` header.
 */
import { describe, expect, it } from "vitest";
import { refusal, withoutCors } from "../../local/gate";
import { isRouteTableLine, routeLines } from "../../local/route-table";

describe("the gate", () => {
  it.each([
    [{ host: "127.0.0.1:3000" }],
    [{ host: "localhost:3000" }],
    [{ host: "LOCALHOST:3000" }],
    [{ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000", "sec-fetch-site": "same-origin" }],
    [{ host: "127.0.0.1:3000", "sec-fetch-site": "none" }],
  ])("answers %j", (headers) => {
    expect(refusal(headers, 3000)).toBeUndefined();
  });

  it.each([
    [{}, /^Host "" is not 127\.0\.0\.1:3000 or localhost:3000$/],
    [{ host: "attacker.example" }, /^Host "attacker\.example"/],
    [{ host: "attacker.example:3000" }, /^Host "attacker\.example:3000"/],
    [{ host: "127.0.0.1.attacker.example:3000" }, /^Host/],
    [{ host: "127.0.0.1:3001" }, /^Host "127\.0\.0\.1:3001"/],
    [{ host: "127.0.0.1" }, /^Host "127\.0\.0\.1"/],
    [{ host: ["127.0.0.1:3000", "attacker.example"] }, /^Host ""/],
    [{ host: "127.0.0.1:3000", origin: "https://attacker.example" }, /origin "https:\/\/attacker/],
    [
      { host: "127.0.0.1:3000", origin: "http://127.0.0.1:3005" },
      /origin "http:\/\/127\.0\.0\.1:3005"/,
    ],
    [{ host: "127.0.0.1:3000", origin: "null" }, /origin "null"/],
    [{ host: "127.0.0.1:3000", "sec-fetch-site": "cross-site" }, /Sec-Fetch-Site: cross-site/],
    [{ host: "127.0.0.1:3000", "sec-fetch-site": "same-site" }, /Sec-Fetch-Site: same-site/],
  ])("refuses %j, saying why", (headers, why) => {
    expect(refusal(headers, 3000)).toMatch(why);
  });

  it("takes every CORS header off a response and keeps the rest", () => {
    expect(
      withoutCors({
        "access-control-allow-origin": "https://attacker.example",
        "Access-Control-Allow-Credentials": "true",
        "access-control-expose-headers": "etag",
        "content-type": "application/json",
        etag: "1",
      }),
    ).toEqual({ "content-type": "application/json", etag: "1" });
  });
});

describe("serverless-offline's route table", () => {
  it("is printed one route a line, with the gate's address in place of the socket's", () => {
    // Prepare: the box as serverless-offline 14 prints it, wrapped at 80 columns
    const box = [
      "┌──────────────────────────────────────────────────────────────────────────────┐",
      "│                                                                              │",
      "│   GET  | http://127.0.0.1:/tmp/lambda-vitals-C1Cp9d/http.sock/orders/{id}    │",
      "│   POST | http://127.0.0.1:/tmp/lambda-vitals-C1Cp9d/http.sock/2015-03-31/f   │",
      "│   unctions/getOrder/invocations                                              │",
      "│   GET  |                                                                     │",
      "│   http://127.0.0.1:/tmp/lambda-vitals-C1Cp9d/http.sock/orders/{id}/invoice   │",
      "│                                                                              │",
      "└──────────────────────────────────────────────────────────────────────────────┘",
    ];
    const address = (text: string) =>
      text.replaceAll("127.0.0.1:/tmp/lambda-vitals-C1Cp9d/http.sock", "127.0.0.1:3000");

    // Act and assess
    expect(box.every(isRouteTableLine)).toBe(true);
    expect(isRouteTableLine("Server ready: http://127.0.0.1:3000 🚀")).toBe(false);
    expect(routeLines(box, address)).toEqual([
      "   GET  | http://127.0.0.1:3000/orders/{id}",
      "   POST | http://127.0.0.1:3000/2015-03-31/functions/getOrder/invocations",
      "   GET  | http://127.0.0.1:3000/orders/{id}/invoice",
    ]);
  });
});
