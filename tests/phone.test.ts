// Phone numbers from Telegram, only after consent (issue 6), through the production build: the
// OpenID Connect flow against a local provider that behaves like oauth.telegram.org, and the bot's
// contact button through the webhook with a stand-in Bot API. Asserts what the database holds.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blindIndex } from "../lib/crypto/fields";
import { startTestBotApi, type TestBotApi } from "./support/bot-api";
import { Client, ONLY_ACCOUNT } from "./support/client";
import Database from "better-sqlite3";
import pg from "pg";
import { countRows, execute, query, rawDatabaseBytes } from "./support/inspect";
import { startTestProvider, type TelegramUser, type TestProvider } from "./support/oidc-provider";
import { TEST_BOT_TOKEN } from "./support/secrets";
import { startApp, type TestApp } from "./support/server";

let app: TestApp;
let provider: TestProvider;
let botApi: TestBotApi;
const WEBHOOK_SECRET = randomBytes(24).toString("base64url");

// Valid numbers as Telegram sends them: international, without the "+".
const OIDC_PHONE = "4915123456789";
const BOT_PHONE = "34612345678";
const VERIFY_PHONE = "79161234567";
const RACE_PHONE = "4917612345678";
const WITHDRAWN_PHONE = "33612345678";
const PHONES = [OIDC_PHONE, BOT_PHONE, VERIFY_PHONE, RACE_PHONE, WITHDRAWN_PHONE];

beforeAll(async () => {
  provider = await startTestProvider({ user: { id: 1, sub: "1" } });
  botApi = await startTestBotApi(TEST_BOT_TOKEN);
  app = await startApp({
    label: "phone",
    env: {
      TELEGRAM_OIDC_ISSUER: provider.issuer,
      TELEGRAM_OIDC_CLIENT_ID: provider.clientId,
      TELEGRAM_OIDC_CLIENT_SECRET: provider.clientSecret,
      TELEGRAM_BOT_API_BASE: botApi.base,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PHONE_NUMBER_UNIQUE: "1",
    },
  });
  provider.redirectUri = `${app.origin}/api/auth/oidc/callback`;
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
  await provider?.close();
  await botApi?.close();
});

let nextId = 610_000_000 + Math.floor(Math.random() * 1_000_000);
/** A Telegram user as the provider sees them; `sub` is opaque and above 2^53, as Telegram's can be. */
function telegramUser(extra: Partial<TelegramUser> = {}): TelegramUser {
  const id = nextId++;
  return {
    id,
    sub: `${9_007_199_254_740_993n + BigInt(id)}`,
    name: "Olga",
    preferred_username: `olga_${id}`,
    ...extra,
  };
}

/** Start → provider → callback, the way a browser follows the redirects. Returns the callback's answer. */
async function oidcRoundTrip(c: Client, intent?: "phone", edit?: (callback: URL) => void) {
  const start = await c.get(`/api/auth/oidc/start${intent ? "?intent=phone" : ""}`);
  expect(start.status).toBe(303);
  const authorize = await fetch(start.headers.get("location")!, { redirect: "manual" });
  expect(authorize.status).toBe(302);
  const callback = new URL(authorize.headers.get("location")!);
  edit?.(callback);
  return { res: await c.get(`${callback.pathname}${callback.search}`), callback };
}

type Me = {
  id: string;
  purposes: Record<string, { granted: boolean; fields: Record<string, string>; outcomeAt?: string | null }>;
};
const me = async (c: Client) => (await (await c.get("/api/me")).json()) as Me;
const phoneIndex = (e164: string) => blindIndex(Buffer.from(app.env.BLIND_INDEX_KEY!, "base64"), "phone_number", e164);
/** Moves a user's deep links into the past, in whatever form the database keeps the date. */
async function expireBotLinks(userId: string) {
  const [row] = await query<{ expires_at: unknown }>(app, `SELECT expires_at FROM bot_link_tokens WHERE user_id = $1`, [
    userId,
  ]);
  const past = new Date(Date.now() - 60_000);
  const value =
    typeof row!.expires_at === "number"
      ? past.getTime()
      : typeof row!.expires_at === "string"
        ? String(row!.expires_at).replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/, past.toISOString().slice(0, 19))
        : past.toISOString().replace("T", " ").replace("Z", "");
  await execute(app, `UPDATE bot_link_tokens SET expires_at = $1 WHERE user_id = $2`, [value, userId]);
}
const phoneRows = (userId: string) =>
  countRows(app, "user_fields", "user_id = $1 AND field = 'phone_number'", [userId]);

async function signedInWithPhonePurpose(
  user: TelegramUser,
  purposes: Record<string, boolean> = { phone_contact: true },
): Promise<{ c: Client; id: string }> {
  const c = new Client(app.origin);
  await c.signIn({ id: String(user.id) }, { ...ONLY_ACCOUNT, ...purposes });
  return { c, id: (await me(c)).id };
}

describe("Telegram OpenID Connect login", () => {
  it("a first sign-in waits for consent like the widget's, keyed on the id claim, asking only openid and profile", async () => {
    const user = telegramUser();
    provider.user = user;
    const c = new Client(app.origin);
    const users = await countRows(app, "users");
    const { res } = await oidcRoundTrip(c);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${app.origin}/consent`);
    const auth = provider.authorizations.at(-1)!;
    expect(auth.scope).toBe("openid profile");
    expect(auth).toMatchObject({ hasNonce: true, challengeMethod: "S256" });
    expect(await countRows(app, "users")).toBe(users);
    // The flow cookie is single use and gone; the pending sign-in holds the profile until consent.
    expect([...c.cookies.keys()].some((k) => k.endsWith("oidc"))).toBe(false);
    expect(
      (await c.request("PUT", "/api/me/consents", { json: { purposes: { ...ONLY_ACCOUNT, display_name: true } } }))
        .status,
    ).toBe(200);
    const m = await me(c);
    expect(m.purposes.account!.fields.telegram_id).toBe(String(user.id));
    expect(m.purposes.display_name!.fields.first_name).toBe("Olga");
    // The widget and OIDC find the same account: the id claim, not the opaque sub, is the key.
    const widget = new Client(app.origin);
    expect((await widget.signIn({ id: String(user.id) })).next).toBe("/settings");
    expect((await me(widget)).id).toBe(m.id);
    expect(await countRows(app, "users")).toBe(users + 1);
  });

  it("asks for the phone scope only once a phone purpose is granted; stores E.164 with a blind index", async () => {
    const user = telegramUser({ phone_number: OIDC_PHONE });
    provider.user = user;
    const { c, id } = await signedInWithPhonePurpose(user, {});
    const asked = provider.authorizations.length;
    const refused = await c.get("/api/auth/oidc/start?intent=phone");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/purpose that uses your phone number/);
    expect(provider.authorizations.length).toBe(asked);
    // A plain login of the same person never asks for the phone either.
    const login = await oidcRoundTrip(new Client(app.origin));
    expect(login.res.headers.get("location")).toBe(`${app.origin}/settings`);
    expect(provider.authorizations.at(-1)!.scope).toBe("openid profile");
    expect(await phoneRows(id)).toBe(0);

    expect((await c.request("PUT", "/api/me/consents", { json: { purposes: { phone_contact: true } } })).status).toBe(
      200,
    );
    const { res } = await oidcRoundTrip(c, "phone");
    expect(res.headers.get("location")).toBe(`${app.origin}/settings?phone=saved`);
    expect(provider.authorizations.at(-1)!.scope).toBe("openid profile phone");
    expect((await me(c)).purposes.phone_contact!.fields.phone_number).toBe(`+${OIDC_PHONE}`);
    const rows = await query<{ blind_index: string }>(
      app,
      `SELECT blind_index FROM user_fields WHERE user_id = $1 AND field = 'phone_number'`,
      [id],
    );
    expect(rows).toEqual([{ blind_index: phoneIndex(`+${OIDC_PHONE}`) }]);
  });

  it("with the operator switch on, refuses the same number on a second account", async () => {
    const user = telegramUser({ phone_number: OIDC_PHONE });
    provider.user = user;
    const { c, id } = await signedInWithPhonePurpose(user);
    const { res } = await oidcRoundTrip(c, "phone");
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/already linked to another account/);
    expect(await phoneRows(id)).toBe(0);
  });

  it("the verification-only purpose keeps when it happened, never the number", async () => {
    const user = telegramUser({ phone_number: VERIFY_PHONE });
    provider.user = user;
    const { c, id } = await signedInWithPhonePurpose(user, { phone_verification: true });
    const { res } = await oidcRoundTrip(c, "phone");
    expect(res.headers.get("location")).toBe(`${app.origin}/settings?phone=verified`);
    expect(provider.authorizations.at(-1)!.scope).toBe("openid profile phone");
    expect(await phoneRows(id)).toBe(0);
    expect(await countRows(app, "user_fields", "blind_index = $1", [phoneIndex(`+${VERIFY_PHONE}`)])).toBe(0);
    expect(await countRows(app, "purpose_outcomes", "user_id = $1 AND purpose_id = 'phone_verification'", [id])).toBe(
      1,
    );
    expect((await me(c)).purposes.phone_verification!.outcomeAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const exported = (await (await c.get("/api/me/export")).json()) as {
      purposes: { id: string; outcomeAt?: string; stored: object }[];
    };
    expect(exported.purposes.find((p) => p.id === "phone_verification")).toMatchObject({
      outcomeAt: expect.stringMatching(/^\d{4}-/),
      stored: {},
    });
    await c.request("PUT", "/api/me/consents", { json: { purposes: { phone_verification: false } } });
    expect(await countRows(app, "purpose_outcomes", "user_id = $1", [id])).toBe(0);
  });

  it("refuses a tampered, expired, foreign-signed, wrong-audience or wrong-nonce ID token, storing nothing", async () => {
    const user = telegramUser({ phone_number: "4930901820" });
    provider.user = user;
    const { c, id } = await signedInWithPhonePurpose(user);
    for (const misbehave of [
      { tamper: true },
      { expired: true },
      { foreignKey: true },
      { audience: "123456" },
      { nonce: "not-the-nonce-we-sent" },
    ]) {
      provider.misbehave = misbehave;
      const { res } = await oidcRoundTrip(c, "phone");
      expect(res.status, JSON.stringify(misbehave)).toBe(401);
      expect(((await res.json()) as { error: string }).error).toMatch(/could not confirm/);
    }
    provider.misbehave = {};
    expect(await phoneRows(id)).toBe(0);
    // A first sign-in with a tampered token holds nothing, not even a pending sign-in.
    provider.user = telegramUser();
    provider.misbehave = { tamper: true };
    const stranger = new Client(app.origin);
    const users = await countRows(app, "users");
    expect((await oidcRoundTrip(stranger)).res.status).toBe(401);
    provider.misbehave = {};
    expect([...stranger.cookies.keys()].some((k) => k.endsWith("pending"))).toBe(false);
    expect(await countRows(app, "users")).toBe(users);
  });

  it("accepts an ID token without a nonce (Telegram may not echo it)", async () => {
    const user = telegramUser({ phone_number: "4930901820" });
    provider.user = user;
    const { c, id } = await signedInWithPhonePurpose(user);
    provider.misbehave = { omitNonce: true };
    const { res } = await oidcRoundTrip(c, "phone");
    provider.misbehave = {};
    expect(res.headers.get("location")).toBe(`${app.origin}/settings?phone=saved`);
    expect(await phoneRows(id)).toBe(1);
  });

  it("refuses a wrong state, a replayed code, and another Telegram account answering", async () => {
    const user = telegramUser({ phone_number: "4930901821" });
    provider.user = user;
    const { c, id } = await signedInWithPhonePurpose(user);
    const wrongState = await oidcRoundTrip(c, "phone", (cb) => cb.searchParams.set("state", "x".repeat(43)));
    expect(wrongState.res.status).toBe(400);
    // The same callback again: its flow cookie was spent by the first answer.
    const first = await oidcRoundTrip(new Client(app.origin));
    const replayUrl = `${first.callback.pathname}${first.callback.search}`;
    expect((await c.get(replayUrl)).status).toBe(400);
    // The old code with a fresh flow's state: the provider refuses the code, and so does the app.
    const start = await c.get("/api/auth/oidc/start?intent=phone");
    const freshState = new URL(start.headers.get("location")!).searchParams.get("state")!;
    const replay = new URL(first.callback);
    replay.searchParams.set("state", freshState);
    const res = await c.get(`${replay.pathname}${replay.search}`);
    expect(res.status).toBe(401);
    expect(provider.tokenRequests.at(-1)).toEqual({ ok: false, error: "invalid_grant" });
    // Someone else's Telegram account cannot put its number on this account.
    provider.user = telegramUser({ phone_number: "4930901822" });
    expect((await oidcRoundTrip(c, "phone")).res.status).toBe(401);
    expect(await phoneRows(id)).toBe(0);
  });

  // Issue 15: Telegram's language speaks the pages after sign-in, unless the person chose one.
  describe("the ID token's locale claim", () => {
    const langCookieOf = (res: { headers: { getSetCookie(): string[] } }) =>
      res.headers.getSetCookie().find((c) => c.startsWith("lang="));
    const htmlLang = async (c: Client, path: string) =>
      /<html[^>]*\blang="([^"]+)"/.exec(await (await c.get(path)).text())?.[1];

    it("sets the lang cookie from an offered locale, so the page after sign-in speaks it", async () => {
      provider.user = telegramUser({ locale: "ru-RU" });
      const c = new Client(app.origin);
      const { res } = await oidcRoundTrip(c);
      expect(res.headers.get("location")).toBe(`${app.origin}/consent`);
      const set = langCookieOf(res)!;
      expect(set).toMatch(/^lang=ru;/);
      // The switcher's attributes: a year, the whole site, Lax, httpOnly (Secure on https origins).
      expect(set).toMatch(/Max-Age=31536000/i);
      expect(set).toMatch(/Path=\//);
      expect(set).toMatch(/SameSite=lax/i);
      expect(set).toMatch(/HttpOnly/i);
      expect(await htmlLang(c, "/consent")).toBe("ru");
    });

    it("never overrides the person's own choice, and ignores a locale that is not offered", async () => {
      provider.user = telegramUser({ locale: "fa" });
      const chose = new Client(app.origin);
      chose.cookies.set("lang", "es");
      const { res } = await oidcRoundTrip(chose);
      expect(res.status).toBe(303);
      expect(langCookieOf(res)).toBeUndefined();
      expect(chose.cookies.get("lang")).toBe("es");
      expect(await htmlLang(chose, "/consent")).toBe("es");

      for (const locale of ["zz", "de-DE", "../../x", ""]) {
        provider.user = telegramUser({ locale });
        const c = new Client(app.origin);
        const round = await oidcRoundTrip(c);
        expect(round.res.status, locale).toBe(303);
        expect(langCookieOf(round.res), locale).toBeUndefined();
        expect(await htmlLang(c, "/consent"), locale).toBe("en");
      }
    });

    it("a lang cookie that names no offered language is no choice: Telegram's language replaces it", async () => {
      provider.user = telegramUser({ locale: "fa-IR" });
      const c = new Client(app.origin);
      c.cookies.set("lang", "zz");
      const { res } = await oidcRoundTrip(c);
      expect(langCookieOf(res)).toMatch(/^lang=fa;/);
      const html = await (await c.get("/consent")).text();
      expect(html).toMatch(/<html[^>]*\blang="fa"[^>]*\bdir="rtl"|<html[^>]*\bdir="rtl"[^>]*\blang="fa"/);
    });
  });

  it("refuses an invalid number with a clear message, storing nothing", async () => {
    const user = telegramUser({ phone_number: "15555550100" });
    provider.user = user;
    const { c, id } = await signedInWithPhonePurpose(user);
    const { res } = await oidcRoundTrip(c, "phone");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/cannot read as a valid international number/);
    expect(await phoneRows(id)).toBe(0);
  });
});

describe("the bot's contact button", () => {
  const webhook = (c: Client, update: unknown, secret: string | null = WEBHOOK_SECRET) =>
    c.request("POST", "/api/telegram/webhook", {
      json: update,
      origin: null,
      headers: secret === null ? {} : { "x-telegram-bot-api-secret-token": secret },
    });
  let updateId = 1;
  const start = (from: number, token: string) => ({
    update_id: updateId++,
    message: {
      message_id: 1,
      date: 0,
      chat: { id: from, type: "private" },
      from: { id: from, is_bot: false, first_name: "X" },
      text: `/start ${token}`,
    },
  });
  const contact = (from: number, userId: number, phone: string) => ({
    update_id: updateId++,
    message: {
      message_id: 2,
      date: 0,
      chat: { id: from, type: "private" },
      from: { id: from, is_bot: false, first_name: "X" },
      contact: { phone_number: phone, first_name: "X", user_id: userId },
    },
  });
  const lastReplyTo = (chat: number) =>
    botApi.calls.filter((x) => x.method === "sendMessage" && x.body.chat_id === chat).at(-1)?.body;
  async function deepLinkToken(c: Client): Promise<string> {
    const res = await c.request("POST", "/api/me/phone/bot-link");
    expect(res.status).toBe(200);
    const { link } = (await res.json()) as { link: string };
    expect(link).toMatch(/^https:\/\/t\.me\/consent_test_bot\?start=[A-Za-z0-9_-]+$/);
    return new URL(link).searchParams.get("start")!;
  }

  it("refuses a missing or wrong secret, logging the refusal without the content", async () => {
    const c = new Client(app.origin);
    const marker = `contact-${randomBytes(6).toString("hex")}`;
    expect((await webhook(c, contact(1, 1, marker), null)).status).toBe(401);
    // One character off. (Replacing the last one with a fixed "x" was the secret itself whenever the
    // random secret ended in "x": a CI run answered 200 to it.)
    const oneOff = `${WEBHOOK_SECRET.slice(0, -1)}${WEBHOOK_SECRET.endsWith("x") ? "y" : "x"}`;
    expect(oneOff).not.toBe(WEBHOOK_SECRET);
    expect((await webhook(c, contact(1, 1, marker), oneOff)).status).toBe(401);
    expect((await webhook(c, contact(1, 1, marker), "")).status).toBe(401);
    // The log reaches the file through a pipe and a write stream: wait for the line, not a fixed time.
    let log = "";
    for (let i = 0; i < 100 && !/webhook\.refused/.test(log); i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      log = readFileSync(app.logFile, "utf8");
    }
    expect(log).toMatch(/webhook\.refused/);
    expect(log).not.toContain(marker);
  });

  it("asks with a request_contact keyboard, refuses someone else's contact, stores one's own under consent", async () => {
    const user = telegramUser();
    const { c, id } = await signedInWithPhonePurpose(user);
    const token = await deepLinkToken(c);
    expect(await query(app, "SELECT token_hash FROM bot_link_tokens WHERE token_hash = $1", [token])).toHaveLength(0);
    expect((await webhook(c, start(user.id, token))).status).toBe(200);
    const ask = lastReplyTo(user.id)!;
    expect((ask.reply_markup as { keyboard: { request_contact?: boolean }[][] }).keyboard[0]![0]!.request_contact).toBe(
      true,
    );

    const someoneElse = nextId++;
    expect((await webhook(c, contact(user.id, someoneElse, "4915199999999"))).status).toBe(200);
    expect(lastReplyTo(user.id)!.text).toMatch(/your own contact/);
    expect(await phoneRows(id)).toBe(0);

    expect((await webhook(c, contact(user.id, user.id, BOT_PHONE))).status).toBe(200);
    expect(lastReplyTo(user.id)!.text).toMatch(/saved/);
    expect((await me(c)).purposes.phone_contact!.fields.phone_number).toBe(`+${BOT_PHONE}`);

    // The link was single use: opening it again is refused and no keyboard is sent.
    const calls = botApi.calls.length;
    expect((await webhook(c, start(user.id, token))).status).toBe(200);
    expect(botApi.calls.length).toBe(calls + 1);
    expect(lastReplyTo(user.id)!.text).toMatch(/expired or was already used/);
    expect(lastReplyTo(user.id)!.reply_markup).toBeUndefined();

    // Withdrawing the purpose erases the number and its blind index at once.
    expect(await countRows(app, "user_fields", "blind_index = $1", [phoneIndex(`+${BOT_PHONE}`)])).toBe(1);
    const withdrawn = await c.request("PUT", "/api/me/consents", { json: { purposes: { phone_contact: false } } });
    expect(await withdrawn.json()).toMatchObject({ erased: ["phone_number"] });
    expect(await phoneRows(id)).toBe(0);
    expect(await countRows(app, "user_fields", "blind_index = $1", [phoneIndex(`+${BOT_PHONE}`)])).toBe(0);
  });

  it("refuses a stale link, a link opened by another account, a contact without a link, and stores nothing without consent", async () => {
    const user = telegramUser();
    const { c, id } = await signedInWithPhonePurpose(user);
    const stale = await deepLinkToken(c);
    await expireBotLinks(id);
    await webhook(c, start(user.id, stale));
    expect(lastReplyTo(user.id)!.text).toMatch(/expired or was already used/);
    await webhook(c, contact(user.id, user.id, "4915188888888"));
    expect(await phoneRows(id)).toBe(0);

    const token = await deepLinkToken(c);
    const intruder = nextId++;
    await webhook(c, start(intruder, token));
    expect(lastReplyTo(intruder)!.reply_markup).toBeUndefined();
    await webhook(c, start(user.id, token));
    expect(lastReplyTo(user.id)!.text).toMatch(/expired or was already used/);

    // Link claimed, then the purpose withdrawn before the contact arrives: nothing is stored.
    const late = await deepLinkToken(c);
    await webhook(c, start(user.id, late));
    await c.request("PUT", "/api/me/consents", { json: { purposes: { phone_contact: false } } });
    await webhook(c, contact(user.id, user.id, "4915177777777"));
    expect(await phoneRows(id)).toBe(0);
    expect((await c.request("POST", "/api/me/phone/bot-link")).status).toBe(403);
  });

  // Issue 15: the bot answers in the language of the sender's Telegram app, English otherwise.
  it("answers in the sender's Telegram language when offered, in English otherwise", async () => {
    const ru = JSON.parse(readFileSync("messages/ru/bot.json", "utf8")) as Record<string, unknown>;
    const en = JSON.parse(readFileSync("messages/en/bot.json", "utf8")) as Record<string, unknown>;
    const withLanguage = (update: ReturnType<typeof start>, code: unknown) => ({
      ...update,
      message: { ...update.message, from: { ...update.message.from, language_code: code } },
    });
    const user = telegramUser();
    const { c } = await signedInWithPhonePurpose(user);
    await webhook(c, withLanguage(start(user.id, await deepLinkToken(c)), "ru"));
    const ask = lastReplyTo(user.id)!;
    expect(ask.text).toBe(ru.askContact);
    expect((ask.reply_markup as { keyboard: { text: string }[][] }).keyboard[0]![0]!.text).toBe(ru.shareButton);
    // A regional tag, as Telegram sends for some apps, is the same language.
    await webhook(c, withLanguage(start(user.id, "spent-or-unknown-token-0000"), "ru-RU"));
    expect(lastReplyTo(user.id)!.text).toBe(ru.linkExpired);

    for (const code of ["zz", "de", "", "x".repeat(500), 42, null]) {
      await webhook(c, withLanguage(start(user.id, "spent-or-unknown-token-0000"), code));
      expect(lastReplyTo(user.id)!.text, String(code)).toBe(en.linkExpired);
    }
  });

  it("npm run bot:webhook registers the webhook with its secret against the configured Bot API", async () => {
    // Asynchronously: the stand-in Bot API answers from this very process.
    const { stdout: out } = await promisify(execFile)("npm", ["run", "-s", "bot:webhook"], {
      env: app.env,
      encoding: "utf8",
    });
    expect(out).toContain(`webhook registered: ${app.origin}/api/telegram/webhook`);
    expect(out).not.toContain(WEBHOOK_SECRET);
    const call = botApi.calls.filter((x) => x.method === "setWebhook").at(-1)!;
    expect(call.body).toMatchObject({ url: `${app.origin}/api/telegram/webhook`, secret_token: WEBHOOK_SECRET });
  });
});

/**
 * Holds the user rows' write lock from outside the app while `during` runs: on PostgreSQL a row lock
 * on each user, released only once `waiters` app transactions are seen waiting for it; on SQLite the
 * database's one write lock (one writer at a time, so the app's transactions queue behind it).
 * `inside` runs in the locking transaction just before it commits.
 */
async function underUserLocks<T>(
  userIds: string[],
  waiters: number,
  during: () => Promise<T>[],
  inside: (run: (sql: string, params: unknown[]) => Promise<void>) => Promise<void> = async () => {},
): Promise<T[]> {
  if (app.db.kind === "sqlite") {
    const db = new Database(app.db.sqliteFile!);
    db.pragma("busy_timeout = 10000");
    db.exec("BEGIN IMMEDIATE");
    const pending = during();
    await inside(async (sql, params) => void db.prepare(sql.replace(/\$\d+/g, "?")).run(...params));
    db.exec("COMMIT");
    db.close();
    return Promise.all(pending);
  }
  const holder = new pg.Client({ connectionString: app.db.url });
  const watcher = new pg.Client({ connectionString: app.db.url });
  await holder.connect();
  await watcher.connect();
  try {
    await holder.query("BEGIN");
    await holder.query("SELECT id FROM users WHERE id = ANY($1) FOR UPDATE", [userIds]);
    const pending = during();
    // Waits for the app's transactions to queue on the lock (a condition, not a fixed time).
    for (let i = 0; ; i++) {
      const { rows } = await watcher.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (rows[0].n >= waiters) break;
      if (i > 600) throw new Error(`only ${rows[0].n} of ${waiters} transactions reached the lock`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await inside(async (sql, params) => void (await holder.query(sql, params)));
    await holder.query("COMMIT");
    return await Promise.all(pending);
  } finally {
    await holder.end();
    await watcher.end();
  }
}

describe("phone saves racing other writers (issue 13, item 5)", () => {
  const webhook = (update: unknown) =>
    new Client(app.origin).request("POST", "/api/telegram/webhook", {
      json: update,
      origin: null,
      headers: { "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
    });
  let updateId = 10_000;
  const start = (from: number, token: string) => ({
    update_id: updateId++,
    message: {
      message_id: 1,
      date: 0,
      chat: { id: from, type: "private" },
      from: { id: from, is_bot: false },
      text: `/start ${token}`,
    },
  });
  const contact = (from: number, phone: string) => ({
    update_id: updateId++,
    message: {
      message_id: 2,
      date: 0,
      chat: { id: from, type: "private" },
      from: { id: from, is_bot: false },
      contact: { phone_number: phone, user_id: from },
    },
  });
  const lastReplyTo = (chat: number) =>
    botApi.calls.filter((x) => x.method === "sendMessage" && x.body.chat_id === chat).at(-1)?.body;
  async function linkedBot(c: Client, telegramId: number) {
    const res = await c.request("POST", "/api/me/phone/bot-link");
    expect(res.status).toBe(200);
    const token = new URL(((await res.json()) as { link: string }).link).searchParams.get("start")!;
    expect((await webhook(start(telegramId, token))).status).toBe(200);
    expect(lastReplyTo(telegramId)!.text).toMatch(/Press the button/);
  }

  it("a withdrawal that commits while the save waits for the user's lock leaves no 'verified at'", async () => {
    const user = telegramUser();
    const { c, id } = await signedInWithPhonePurpose(user, { phone_verification: true });
    await linkedBot(c, user.id);
    const [res] = await underUserLocks(
      [id],
      1,
      () => [webhook(contact(user.id, WITHDRAWN_PHONE))],
      (run) =>
        // What a withdrawal commits (the consent state) lands while the save waits.
        run("UPDATE consent_states SET granted = $1 WHERE user_id = $2 AND purpose_id = 'phone_verification'", [
          app.db.kind === "sqlite" ? 0 : false,
          id,
        ]),
    );
    expect(res!.status).toBe(200);
    expect(await countRows(app, "purpose_outcomes", "user_id = $1", [id])).toBe(0);
    expect(await countRows(app, "audit_events", "type = 'phone.verified' AND subject_id = $1", [id])).toBe(0);
    expect(lastReplyTo(user.id)!.text).toMatch(/not agreed to a purpose that uses your phone number/);
  });

  it("two accounts saving one number at once: the database keeps it for one of them (PHONE_NUMBER_UNIQUE)", async () => {
    const users = [telegramUser(), telegramUser()];
    const signedIn = await Promise.all(users.map((u) => signedInWithPhonePurpose(u)));
    for (const [i, u] of users.entries()) await linkedBot(signedIn[i]!.c, u.id);
    const results = await underUserLocks(
      signedIn.map((s) => s.id),
      2,
      () => users.map((u) => webhook(contact(u.id, RACE_PHONE))),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(await countRows(app, "user_fields", "blind_index = $1", [phoneIndex(`+${RACE_PHONE}`)])).toBe(1);
    const replies = users.map((u) => String(lastReplyTo(u.id)!.text));
    expect(replies.filter((t) => /saved/.test(t))).toHaveLength(1);
    expect(replies.filter((t) => /already linked to another account/.test(t))).toHaveLength(1);
  });
});

describe("at rest", () => {
  it("no phone number appears in plaintext in the database files or the logs, in any spelling", async () => {
    const bytes = await rawDatabaseBytes(app);
    const log = readFileSync(app.logFile);
    for (const digits of PHONES) {
      for (const form of [digits, `+${digits}`, Buffer.from(`+${digits}`, "utf16le")]) {
        expect(bytes.includes(form), `db ${String(form)}`).toBe(false);
        expect(log.includes(form), `log ${String(form)}`).toBe(false);
      }
    }
  });
});
