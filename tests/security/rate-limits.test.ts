// Rate limits at their real values (RATE_LIMIT_FACTOR=1): the contract's 429 with Retry-After;
// refusals throttled per address, verified sign-ins per Telegram account (so a forged
// X-Forwarded-For buys nothing), account routes per user; behind a trusted proxy, the hop the proxy
// appended is the address. docs/decisions/007-rate-limits-and-client-address.md.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, ONLY_ACCOUNT, signedPayload } from "../support/client";
import { startApp, type TestApp } from "../support/server";
import { recordFigure } from "./support";

let app: TestApp;
let proxied: TestApp;
let limited = 0;
let nextId = 4_400_009_000_000;
const freshId = () => String(nextId++);

beforeAll(async () => {
  // One after the other: a second freePort() could be handed the first app's port before its server
  // has bound it.
  app = await startApp({ label: "sec-limits", env: { RATE_LIMIT_FACTOR: "1" } });
  proxied = await startApp({ label: "sec-limits-proxy", env: { RATE_LIMIT_FACTOR: "1", TRUST_PROXY: "1" } });
});
afterAll(async () => {
  recordFigure("requests answered 429 as designed", limited);
  for (const a of [app, proxied]) {
    await a?.stop();
    await a?.db.drop();
  }
});

type Res = Awaited<ReturnType<Client["request"]>>;

async function expect429(res: Res): Promise<void> {
  expect(res.status).toBe(429);
  const retry = Number(res.headers.get("retry-after"));
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(600);
  expect(res.headers.get("cache-control")).toContain("no-store");
  expect(await res.json()).toEqual({ error: expect.stringMatching(/Too many requests.*\d+ seconds/) });
  limited += 1;
}

const badPayload = () => ({ ...signedPayload({ id: freshId() }), first_name: "tampered" });

describe("sign-in without a trusted proxy", () => {
  it("throttles refused attempts per address, but a verified sign-in from that address still works", async () => {
    const xff = { "x-forwarded-for": "198.51.100.7" };
    for (let i = 0; i < 10; i++) expect((await new Client(app.origin).request("POST", "/api/auth/telegram", { json: badPayload(), headers: xff })).status).toBe(401);
    await expect429(await new Client(app.origin).request("POST", "/api/auth/telegram", { json: badPayload(), headers: xff }));
    const ok = await new Client(app.origin).request("POST", "/api/auth/telegram", { json: signedPayload({ id: freshId() }), headers: xff });
    expect(ok.status).toBe(200);
  });

  it("limits verified sign-ins per Telegram account whatever X-Forwarded-For says", async () => {
    const id = freshId();
    const c = new Client(app.origin);
    await c.signIn({ id }, ONLY_ACCOUNT);
    for (let i = 1; i < 10; i++) {
      const res = await new Client(app.origin).request("POST", "/api/auth/telegram", { json: signedPayload({ id }), headers: { "x-forwarded-for": `203.0.113.${i}` } });
      expect(res.status, `sign-in ${i + 1}`).toBe(200);
    }
    await expect429(await new Client(app.origin).request("POST", "/api/auth/telegram", { json: signedPayload({ id }), headers: { "x-forwarded-for": "192.0.2.200" } }));
    // Someone else is not affected.
    expect((await new Client(app.origin).request("POST", "/api/auth/telegram", { json: signedPayload({ id: freshId() }) })).status).toBe(200);
  });
});

describe("account routes, per user", () => {
  it("consent changes", async () => {
    const c = new Client(app.origin);
    await c.signIn({ id: freshId() }, ONLY_ACCOUNT);
    // The first sign-in's consent counted once already (pending sign-in key); these are the user's own.
    for (let i = 0; i < 30; i++) expect((await c.request("PUT", "/api/me/consents", { json: { purposes: { username: i % 2 === 0 } } })).status).toBe(200);
    await expect429(await c.request("PUT", "/api/me/consents", { json: { purposes: { username: true } } }));
    const other = new Client(app.origin);
    await other.signIn({ id: freshId() }, ONLY_ACCOUNT);
    expect((await other.request("PUT", "/api/me/consents", { json: { purposes: { username: true } } })).status).toBe(200);
  });

  it("exports and receipts", async () => {
    const c = new Client(app.origin);
    await c.signIn({ id: freshId() }, ONLY_ACCOUNT);
    for (let i = 0; i < 10; i++) expect((await c.get(i % 2 ? "/api/me/export" : "/api/me/receipt")).status).toBe(200);
    await expect429(await c.get("/api/me/export"));
    // Reading /api/me is not an export and stays available.
    expect((await c.get("/api/me")).status).toBe(200);
  });

  it("erasure requests", async () => {
    // Three erasure attempts per user per ten minutes; a burst of them from one session is cut.
    const c = new Client(app.origin);
    await c.signIn({ id: freshId() }, ONLY_ACCOUNT);
    const results = await Promise.all(Array.from({ length: 8 }, () => c.request("DELETE", "/api/me")));
    const statuses = results.map((r) => r.status);
    // Requests racing the erasure may still find the session; at most three pass the limiter.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(3);
    expect(statuses.every((s) => [200, 401, 429].includes(s))).toBe(true);
    for (const r of results) if (r.status === 429) await expect429(r);
    else await r.body?.cancel();
    expect((await c.get("/api/me")).status).toBe(401);
  });
});

describe("sign-in behind a trusted proxy (TRUST_PROXY=1)", () => {
  it("keys every attempt by the hop the proxy appended, not by what the client wrote before it", async () => {
    const via = (client: string, hop: string) => ({ "x-forwarded-for": `${client}, ${hop}` });
    for (let i = 0; i < 30; i++) {
      const res = await new Client(proxied.origin).request("POST", "/api/auth/telegram", { json: signedPayload({ id: freshId() }), headers: via(`10.9.${i}.1`, "192.0.2.10") });
      expect(res.status, `attempt ${i + 1}`).toBe(200);
    }
    // Rewriting the client-supplied part does not help: the proxy's hop is the key.
    await expect429(await new Client(proxied.origin).request("POST", "/api/auth/telegram", { json: signedPayload({ id: freshId() }), headers: via("203.0.113.99", "192.0.2.10") }));
    // Another client (another hop) is unaffected.
    expect((await new Client(proxied.origin).request("POST", "/api/auth/telegram", { json: signedPayload({ id: freshId() }), headers: via("10.0.0.1", "192.0.2.11") })).status).toBe(200);
  });
});
