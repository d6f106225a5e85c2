// POST /api/auth/telegram against the production build, on SQLite or PostgreSQL (TEST_DB).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, signedPayload } from "./support/client";
import { TEST_BOT_TOKEN, testSecrets } from "./support/secrets";
import { startApp, type TestApp } from "./support/server";
import { countRows } from "./support/inspect";

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ label: "login" });
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
});

const UNAUTHORIZED = "Telegram could not confirm this sign-in. Please press the Telegram button and try again.";
let nextId = 500_000_000;
const freshId = () => String(nextId++);

describe("accepting a payload", () => {
  it("accepts a fresh payload once: a new person is held for consent, with nothing stored", async () => {
    const c = new Client(app.origin);
    const payload = signedPayload({ id: freshId(), first_name: "Once" });
    const first = await c.request("POST", "/api/auth/telegram", { json: payload });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ next: "/consent" });
    expect([...c.cookies.keys()]).toContain("__Host-pending");
    expect(await countRows(app, "users")).toBe(0);

    const again = await new Client(app.origin).request("POST", "/api/auth/telegram", { json: payload });
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: UNAUTHORIZED });
  });

  it("refuses one of two racing requests with the same payload", async () => {
    const payload = signedPayload({ id: freshId() });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => new Client(app.origin).request("POST", "/api/auth/telegram", { json: payload })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
  });

  it("signs a returning user straight in, and the cookie is HttpOnly, Lax, host-only, Secure", async () => {
    const c = new Client(app.origin);
    const id = freshId();
    await c.signIn({ id });
    const again = new Client(app.origin);
    const res = await again.request("POST", "/api/auth/telegram", { json: signedPayload({ id }) });
    expect(await res.json()).toEqual({ next: "/settings" });
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith("__Host-session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=lax/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).not.toMatch(/Domain=/i);
    expect((await again.get("/api/me")).status).toBe(200);
  });
});

describe("refusals", () => {
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ["stale", () => signedPayload({ id: "77" }, { authDate: now() - 301 })],
    ["future-dated", () => signedPayload({ id: "77" }, { authDate: now() + 120 })],
    ["wrong bot token", () => signedPayload({ id: "77" }, { token: "123:" + "x".repeat(35) })],
    ["tampered name", () => ({ ...signedPayload({ id: "77", first_name: "A" }), first_name: "B" })],
    ["tampered id", () => ({ ...signedPayload({ id: "77" }), id: "78" })],
    [
      "removed field",
      () => {
        const { first_name: _f, ...rest } = signedPayload({ id: "77", first_name: "A" });
        return rest;
      },
    ],
  ])("refuses a %s payload with the one 401 message", async (_name, make) => {
    const res = await new Client(app.origin).request("POST", "/api/auth/telegram", { json: make() });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: UNAUTHORIZED });
  });

  it.each([
    ["non-numeric id", { ...signedPayload({ id: "77" }), id: "7x" }],
    ["unknown field", { ...signedPayload({ id: "77" }), admin: "true" }],
    [
      "uppercase hash",
      (() => {
        const p = signedPayload({ id: "77" });
        return { ...p, hash: p.hash!.toUpperCase() };
      })(),
    ],
    ["oversized name", signedPayload({ id: "77", first_name: "x".repeat(300) })],
    ["id beyond 2^53", { ...signedPayload({ id: "77" }), id: "9007199254740993" }],
    ["array body", [1, 2]],
    ["missing hash", { id: "77", auth_date: "1" }],
  ])("answers 400 to a malformed body (%s)", async (_name, body) => {
    const res = await new Client(app.origin).request("POST", "/api/auth/telegram", { json: body });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string };
    expect(json.error).toMatch(/malformed|JSON object/i);
  });

  it("answers 400 to broken JSON, 415 to the wrong type and 413 to a huge body", async () => {
    const c = new Client(app.origin);
    expect(
      (
        await c.request("POST", "/api/auth/telegram", {
          body: "{not json",
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await c.request("POST", "/api/auth/telegram", {
          body: "id=1",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        })
      ).status,
    ).toBe(415);
    expect(
      (
        await c.request("POST", "/api/auth/telegram", {
          body: JSON.stringify({ pad: "x".repeat(10_000) }),
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(413);
  });

  it("refuses cross-origin requests and requests without an origin, before looking at the payload", async () => {
    const payload = signedPayload({ id: freshId() });
    const evil = await new Client(app.origin).request("POST", "/api/auth/telegram", {
      json: payload,
      origin: "https://evil.example",
    });
    expect(evil.status).toBe(403);
    const none = await new Client(app.origin).request("POST", "/api/auth/telegram", { json: payload, origin: null });
    expect(none.status).toBe(403);
    // The refused payload was not consumed: it still works from the right origin.
    expect((await new Client(app.origin).request("POST", "/api/auth/telegram", { json: payload })).status).toBe(200);
  });

  it("never stores or logs anything from refused payloads, and never answers 5xx", async () => {
    const canary = "Zqxcanaryrefused";
    const bodies = [
      { ...signedPayload({ id: "5551234987651", first_name: canary }), first_name: canary + "x" },
      { ...signedPayload({ id: "5551234987651", first_name: canary }), extra: canary },
      signedPayload({ id: "5551234987651", first_name: canary }, { authDate: Math.floor(Date.now() / 1000) - 9999 }),
    ];
    for (const body of bodies) {
      const res = await new Client(app.origin).request("POST", "/api/auth/telegram", { json: body });
      expect(res.status).toBeLessThan(500);
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(app.logFile, "utf8")).not.toContain(canary);
    expect(readFileSync(app.logFile, "utf8")).not.toContain("5551234987651");
  });

  it("treats a broken or foreign cookie as signed out", async () => {
    const c = new Client(app.origin);
    c.cookies.set("__Host-session", "Fe26.2**garbage");
    expect((await c.get("/api/me")).status).toBe(401);
    c.cookies.set("__Host-session", "x".repeat(5000));
    expect((await c.get("/api/me")).status).toBe(401);
  });

  it("verifies with the bot token the server was configured with, and only that one", async () => {
    // A server configured with another bot: its own payloads pass, the usual test bot's do not.
    const token = `${TEST_BOT_TOKEN.split(":")[0]}1:${randomBytes(27).toString("base64url")}`;
    const other = await startApp({ label: "login-token", secrets: { ...testSecrets(), TELEGRAM_BOT_TOKEN: token } });
    try {
      const ours = await new Client(other.origin).request("POST", "/api/auth/telegram", {
        json: signedPayload({ id: freshId() }, { token }),
      });
      expect(ours.status).toBe(200);
      const usual = await new Client(other.origin).request("POST", "/api/auth/telegram", {
        json: signedPayload({ id: freshId() }),
      });
      expect(usual.status).toBe(401);
    } finally {
      await other.stop();
      await other.db.drop();
    }
  });
});
