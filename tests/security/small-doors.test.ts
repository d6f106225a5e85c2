// Small doors of issue 25, item 5, through the production build: a notice name in the URL that
// every object has (__proto__, constructor, toString), and server actions whose Origin only has to
// match the Host header the sender chose. (The body read timeout is in body-limits.test.ts, the
// demo's forwarded-client headers in tests/demo.test.ts.)
import { request as httpRequest } from "node:http";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "../support/client";
import { startApp, type TestApp } from "../support/server";
import { fingerprint } from "./support";

let app: TestApp;
let person: Client;

beforeAll(async () => {
  app = await startApp({ label: "sec-small-doors" });
  person = new Client(app.origin);
  await person.signIn({ id: String(851_000_000 + Math.floor(Math.random() * 1_000_000)) });
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
});

describe("the settings page's ?phone= notice", () => {
  it("names no notice for a property every object inherits, and logs nothing", async () => {
    const before = readFileSync(app.logFile, "utf8").length;
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      const res = await person.get(`/settings?phone=${name}`);
      const html = await res.text();
      expect(res.status, name).toBe(200);
      expect(html, name).not.toContain("settings.notices");
      expect(html, name).not.toMatch(/class="notice (ok|error)"[^>]*role="(status|alert)"/);
    }
    const logged = readFileSync(app.logFile, "utf8").slice(before);
    expect(logged).not.toMatch(/MISSING_MESSAGE|\n\s+at /);
  });
});

/** A raw POST whose Host and Origin both name another site (fetch cannot set Host). */
function postWithHost(path: string, host: string, origin: string, cookie: string): Promise<number> {
  const { port } = new URL(app.origin);
  return new Promise((resolve, reject) => {
    const body = "[]";
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: Number(port),
        path,
        method: "POST",
        headers: {
          host,
          origin,
          cookie,
          "next-action": "0".repeat(40),
          "content-type": "text/plain;charset=UTF-8",
          "content-length": String(body.length),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("server actions", () => {
  it("are refused unless Origin is APP_ORIGIN, whatever Host says", async () => {
    const before = await fingerprint(app);
    for (const [host, origin] of [
      ["attacker.example", "http://attacker.example"],
      [new URL(app.origin).host, "http://attacker.example"],
    ] as const) {
      const status = await postWithHost("/settings", host, origin, person.cookieHeader());
      expect(status, `Host ${host}, Origin ${origin}`).toBe(403);
    }
    expect((await fingerprint(app)).hash).toBe(before.hash);
  });

  it("from the app's own origin still reach Next (an unknown action is Next's answer, not ours)", async () => {
    const status = await postWithHost("/settings", new URL(app.origin).host, app.origin, person.cookieHeader());
    expect(status).not.toBe(403);
  });
});
