// Rate limits at their real values (RATE_LIMIT_FACTOR=1): the contract's 429 with Retry-After;
// refusals throttled per address, verified sign-ins per Telegram account (so a forged
// X-Forwarded-For buys nothing), account routes per user; behind a trusted proxy, the hop the proxy
// appended is the address. docs/decisions/007-rate-limits-and-client-address.md.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestBotApi, type TestBotApi } from "../support/bot-api";
import { Client, EVERYTHING, ONLY_ACCOUNT, signedPayload } from "../support/client";
import { query } from "../support/inspect";
import { startTestProvider, type TestProvider } from "../support/oidc-provider";
import { TEST_BOT_TOKEN } from "../support/secrets";
import { startApp, type TestApp } from "../support/server";
import { recordFigure } from "./support";

let app: TestApp;
let proxied: TestApp;
let botApi: TestBotApi;
let provider: TestProvider;
const WEBHOOK_SECRET = randomBytes(24).toString("base64url");
let limited = 0;
let nextId = 4_400_009_000_000;
const freshId = () => String(nextId++);

beforeAll(async () => {
  // One after the other: a second freePort() could be handed the first app's port before its server
  // has bound it.
  botApi = await startTestBotApi(TEST_BOT_TOKEN);
  provider = await startTestProvider({ user: { id: 4_400_009_999_999, sub: "4400009999999" } });
  const telegram = {
    TELEGRAM_BOT_API_BASE: botApi.base,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_OIDC_ISSUER: provider.issuer,
    TELEGRAM_OIDC_CLIENT_ID: provider.clientId,
    TELEGRAM_OIDC_CLIENT_SECRET: provider.clientSecret,
  };
  app = await startApp({ label: "sec-limits", env: { RATE_LIMIT_FACTOR: "1", ...telegram } });
  proxied = await startApp({
    label: "sec-limits-proxy",
    env: { RATE_LIMIT_FACTOR: "1", TRUST_PROXY: "1", ...telegram },
  });
});
afterAll(async () => {
  recordFigure("requests answered 429 as designed", limited);
  for (const a of [app, proxied]) {
    await a?.stop();
    await a?.db.drop();
  }
  await botApi?.close();
  await provider?.close();
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
    for (let i = 0; i < 10; i++)
      expect(
        (await new Client(app.origin).request("POST", "/api/auth/telegram", { json: badPayload(), headers: xff }))
          .status,
      ).toBe(401);
    await expect429(
      await new Client(app.origin).request("POST", "/api/auth/telegram", { json: badPayload(), headers: xff }),
    );
    const ok = await new Client(app.origin).request("POST", "/api/auth/telegram", {
      json: signedPayload({ id: freshId() }),
      headers: xff,
    });
    expect(ok.status).toBe(200);
  });

  it("limits verified sign-ins per Telegram account whatever X-Forwarded-For says", async () => {
    const id = freshId();
    const c = new Client(app.origin);
    await c.signIn({ id }, ONLY_ACCOUNT);
    for (let i = 1; i < 10; i++) {
      const res = await new Client(app.origin).request("POST", "/api/auth/telegram", {
        json: signedPayload({ id }),
        headers: { "x-forwarded-for": `203.0.113.${i}` },
      });
      expect(res.status, `sign-in ${i + 1}`).toBe(200);
    }
    await expect429(
      await new Client(app.origin).request("POST", "/api/auth/telegram", {
        json: signedPayload({ id }),
        headers: { "x-forwarded-for": "192.0.2.200" },
      }),
    );
    // Someone else is not affected.
    expect(
      (await new Client(app.origin).request("POST", "/api/auth/telegram", { json: signedPayload({ id: freshId() }) }))
        .status,
    ).toBe(200);
  });
});

describe("account routes, per user", () => {
  it("consent changes", async () => {
    const c = new Client(app.origin);
    await c.signIn({ id: freshId() }, ONLY_ACCOUNT);
    // The first sign-in's consent counted once already (pending sign-in key); these are the user's own.
    for (let i = 0; i < 30; i++)
      expect(
        (await c.request("PUT", "/api/me/consents", { json: { purposes: { username: i % 2 === 0 } } })).status,
      ).toBe(200);
    await expect429(await c.request("PUT", "/api/me/consents", { json: { purposes: { username: true } } }));
    const other = new Client(app.origin);
    await other.signIn({ id: freshId() }, ONLY_ACCOUNT);
    expect((await other.request("PUT", "/api/me/consents", { json: { purposes: { username: true } } })).status).toBe(
      200,
    );
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
    for (const r of results)
      if (r.status === 429) await expect429(r);
      else await r.body?.cancel();
    expect((await c.get("/api/me")).status).toBe(401);
  });
});

describe("sign-in behind a trusted proxy (TRUST_PROXY=1)", () => {
  it("keys every attempt by the hop the proxy appended, not by what the client wrote before it", async () => {
    const via = (client: string, hop: string) => ({ "x-forwarded-for": `${client}, ${hop}` });
    for (let i = 0; i < 30; i++) {
      const res = await new Client(proxied.origin).request("POST", "/api/auth/telegram", {
        json: signedPayload({ id: freshId() }),
        headers: via(`10.9.${i}.1`, "192.0.2.10"),
      });
      expect(res.status, `attempt ${i + 1}`).toBe(200);
    }
    // Rewriting the client-supplied part does not help: the proxy's hop is the key.
    await expect429(
      await new Client(proxied.origin).request("POST", "/api/auth/telegram", {
        json: signedPayload({ id: freshId() }),
        headers: via("203.0.113.99", "192.0.2.10"),
      }),
    );
    // Another client (another hop) is unaffected.
    expect(
      (
        await new Client(proxied.origin).request("POST", "/api/auth/telegram", {
          json: signedPayload({ id: freshId() }),
          headers: via("10.0.0.1", "192.0.2.11"),
        })
      ).status,
    ).toBe(200);
  });
});

describe("paths that were unmetered (issue 13, item 4)", () => {
  const webhook = (update: unknown) =>
    new Client(app.origin).request("POST", "/api/telegram/webhook", {
      json: update,
      origin: null,
      headers: { "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
    });
  const update = (sender: number, text: string, n: number) => ({
    update_id: n,
    message: { chat: { id: sender }, from: { id: sender }, text },
  });

  it("the webhook acknowledges every update of a flooding sender but answers only 20 of them", async () => {
    const sender = 4_400_009_700_001;
    const before = botApi.calls.length;
    for (let i = 0; i < 30; i++) {
      // Half of them /start with a token-shaped string, which costs a database transaction each.
      const res = await webhook(update(sender, i % 2 ? `/start ${randomBytes(18).toString("base64url")}` : "hello", i));
      expect(res.status, `update ${i + 1}`).toBe(200);
      expect(await res.json()).toEqual({ ok: true });
    }
    const answered = botApi.calls.slice(before);
    expect(answered.length).toBe(20);
    expect(answered.every((c) => c.body.chat_id === sender)).toBe(true);
    limited += 10;
    // Another sender is served as before.
    const other = 4_400_009_700_002;
    expect((await webhook(update(other, "hello", 99))).status).toBe(200);
    expect(botApi.calls.length - before).toBe(21);
    expect(botApi.calls.at(-1)!.body.chat_id).toBe(other);
    // Dropped updates are logged as such, without the sender's id.
    const log = readFileSync(app.logFile, "utf8");
    expect(log).toMatch(/"kind":"rate_limited"/);
    expect(log).not.toContain(String(sender));
    // The limiter's stored keys are HMACs (PostgreSQL; on SQLite the counters are in memory).
    const keys = (await query<{ key: string }>(app, "SELECT key FROM rate_limits")).map((r) => r.key);
    if (app.db.kind === "postgres") expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => k.includes(String(sender)))).toEqual([]);
  });

  it("refused OpenID Connect callbacks are limited per address", async () => {
    const xff = { "x-forwarded-for": "198.51.100.77" };
    const callback = () =>
      new Client(app.origin).request("GET", "/api/auth/oidc/callback?code=x&state=forged", { headers: xff });
    for (let i = 0; i < 10; i++) expect((await callback()).status, `callback ${i + 1}`).toBe(400);
    await expect429(await callback());
    // Another address is unaffected.
    expect(
      (
        await new Client(app.origin).request("GET", "/api/auth/oidc/callback?code=x&state=forged", {
          headers: { "x-forwarded-for": "198.51.100.78" },
        })
      ).status,
    ).toBe(400);
  });

  it("behind a trusted proxy, every OpenID Connect start and callback counts against the address", async () => {
    const via = { "x-forwarded-for": "10.1.1.1, 192.0.2.30" };
    for (let i = 0; i < 30; i++) {
      const res = await new Client(proxied.origin).request("GET", "/api/auth/oidc/start", { headers: via });
      expect(res.status, `start ${i + 1}`).toBe(303);
    }
    await expect429(await new Client(proxied.origin).request("GET", "/api/auth/oidc/start", { headers: via }));
    await expect429(
      await new Client(proxied.origin).request("GET", "/api/auth/oidc/callback?code=x&state=y", { headers: via }),
    );
    expect(
      (
        await new Client(proxied.origin).request("GET", "/api/auth/oidc/start", {
          headers: { "x-forwarded-for": "10.1.1.1, 192.0.2.31" },
        })
      ).status,
    ).toBe(303);
  });

  const auditRows = async (userId: string, type: string) =>
    Number(
      (
        await query<{ n: number | string }>(
          app,
          `SELECT COUNT(*) AS n FROM audit_events WHERE type = $1 AND subject_id = $2`,
          [type, userId],
        )
      )[0]!.n,
    );
  const meId = async (c: Client) => ((await (await c.get("/api/me")).json()) as { id: string }).id;

  it("a non-admin's refused report requests stay refused but stop adding audit rows", async () => {
    const c = new Client(app.origin);
    await c.signIn({ id: freshId() }, ONLY_ACCOUNT);
    const id = await meId(c);
    for (let i = 0; i < 8; i++) expect((await c.get("/api/admin/report")).status).toBe(403);
    for (let i = 0; i < 8; i++) {
      const res = await c.get("/admin");
      expect(res.status).toBe(403);
      await res.body?.cancel();
    }
    expect(await auditRows(id, "admin.refused")).toBe(10);
  });

  it("bot deep links are limited per user", async () => {
    const c = new Client(app.origin);
    await c.signIn({ id: freshId() }, EVERYTHING);
    const id = await meId(c);
    for (let i = 0; i < 10; i++)
      expect((await c.request("POST", "/api/me/phone/bot-link")).status, `link ${i + 1}`).toBe(200);
    await expect429(await c.request("POST", "/api/me/phone/bot-link"));
    expect(await auditRows(id, "bot.link_created")).toBe(10);
  });
});
