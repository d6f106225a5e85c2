// POST /api/auth/telegram/webapp (a Telegram Mini App's init data) and POST
// /api/me/phone/miniapp-contact (its requestContact answer), against the production build on SQLite
// or PostgreSQL (TEST_DB). The sign-in must answer exactly like the widget's POST /api/auth/telegram:
// the same `next`, cookies, refusals, limits and account.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blindIndex } from "../lib/crypto/fields";
import { Client, EVERYTHING, ONLY_ACCOUNT, signedContact, signedInitData, signedPayload } from "./support/client";
import { countRows, query } from "./support/inspect";
import { TEST_BOT_TOKEN, testSecrets } from "./support/secrets";
import { startApp, type TestApp } from "./support/server";

let app: TestApp;
let idOnly: TestApp;
let proxied: TestApp;

beforeAll(async () => {
  // One after the other: a second freePort() could be handed the first app's port before it is bound.
  app = await startApp({ label: "miniapp" });
  // A deployment with only the bot id: the Ed25519 signature is its only proof.
  const { TELEGRAM_BOT_TOKEN: _t, ...secrets } = testSecrets();
  idOnly = await startApp({
    label: "miniapp-id",
    secrets: { ...secrets, TELEGRAM_BOT_ID: TEST_BOT_TOKEN.split(":")[0]! },
  });
  proxied = await startApp({ label: "miniapp-proxy", env: { RATE_LIMIT_FACTOR: "1", TRUST_PROXY: "1" } });
});
afterAll(async () => {
  for (const a of [app, idOnly, proxied]) {
    await a?.stop();
    await a?.db.drop();
  }
});

const UNAUTHORIZED = "Telegram could not confirm this sign-in. Please press the Telegram button and try again.";
const PATH = "/api/auth/telegram/webapp";
let nextId = 520_000_000 + Math.floor(Math.random() * 1_000_000);
const freshId = () => String(nextId++);
const now = () => Math.floor(Date.now() / 1000);
const post = (c: Client, initData: unknown, headers: Record<string, string> = {}) =>
  c.request("POST", PATH, { json: { initData }, headers });

type Me = { id: string; purposes: Record<string, { granted: boolean; fields: Record<string, string> }> };
const me = async (c: Client) => (await (await c.get("/api/me")).json()) as Me;

describe("accepting init data", () => {
  it("holds a new person for consent with nothing stored, and refuses the same init data again", async () => {
    const c = new Client(app.origin);
    const initData = signedInitData({ id: freshId(), first_name: "Mini" });
    const users = await countRows(app, "users");
    const first = await post(c, initData);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ next: "/consent" });
    expect([...c.cookies.keys()]).toContain("__Host-pending");
    expect(await countRows(app, "users")).toBe(users);
    expect(await countRows(app, "pending_sign_ins")).toBeGreaterThan(0);

    const again = await post(new Client(app.origin), initData);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: UNAUTHORIZED });
    // A copy with its hash swapped is still proven by its Ed25519 signature: still the same init data.
    const swapped = new URLSearchParams(initData);
    swapped.set("hash", "f".repeat(64));
    expect((await post(new Client(app.origin), swapped.toString())).status).toBe(401);
  });

  it("sets the session cookie like the widget's for a returning person, and Telegram's language for the pages", async () => {
    const id = freshId();
    await new Client(app.origin).signIn({ id });
    const c = new Client(app.origin);
    const res = await post(c, signedInitData({ id, language_code: "ru" }));
    expect(await res.json()).toEqual({ next: "/settings" });
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith("__Host-session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=lax/i);
    expect(cookie).toMatch(/Secure/i);
    expect(c.cookies.get("lang")).toBe("ru");
    expect((await c.get("/api/me")).status).toBe(200);
    // A language the person chose with the switcher wins over Telegram's.
    const chosen = new Client(app.origin);
    chosen.cookies.set("lang", "es");
    await post(chosen, signedInitData({ id, language_code: "fa" }));
    expect(chosen.cookies.get("lang")).toBe("es");
  });

  it("reaches the same account and decisions as the widget, whichever comes first", async () => {
    const id = freshId();
    const web = new Client(app.origin);
    await web.signIn({ id, first_name: "Web" }, { ...ONLY_ACCOUNT, display_name: true });
    const before = await me(web);
    const users = await countRows(app, "users");

    const mini = new Client(app.origin);
    expect(await (await post(mini, signedInitData({ id, first_name: "Web" }))).json()).toEqual({ next: "/settings" });
    const after = await me(mini);
    expect(after.id).toBe(before.id);
    expect(after.purposes.display_name!.granted).toBe(true);
    expect(await countRows(app, "users")).toBe(users);

    // And the other way round: a first sign-in in the Mini App, then the widget.
    const id2 = freshId();
    const mini2 = new Client(app.origin);
    expect(await (await post(mini2, signedInitData({ id: id2 }))).json()).toEqual({ next: "/consent" });
    expect((await mini2.request("PUT", "/api/me/consents", { json: { purposes: EVERYTHING } })).status).toBe(200);
    const web2 = new Client(app.origin);
    expect((await web2.signIn({ id: id2 })).next).toBe("/settings");
    expect((await me(web2)).id).toBe((await me(mini2)).id);
  });
});

describe("refusals", () => {
  const other = "123:" + "x".repeat(35);
  it.each([
    ["stale", () => signedInitData({ id: "77" }, { authDate: now() - 301 })],
    ["future-dated", () => signedInitData({ id: "77" }, { authDate: now() + 120 })],
    ["another bot's token", () => signedInitData({ id: "77" }, { token: other, botId: "123" })],
    ["another bot's signature", () => signedInitData({ id: "77" }, { proofs: "signature", botId: "124" })],
    [
      "tampered user",
      () => signedInitData({ id: "77", first_name: "A" }, { proofs: "hash" }).replace("%22A%22", "%22B%22"),
    ],
    ["tampered id", () => signedInitData({ id: "77" }, { proofs: "hash" }).replace("%3A77", "%3A78")],
    ["removed field", () => signedInitData({ id: "77" }, { proofs: "hash" }).replace(/query_id=[^&]*&/, "")],
  ])("refuses %s init data with the one 401 message, storing nothing", async (_n, make) => {
    const users = await countRows(app, "users");
    const c = new Client(app.origin);
    const res = await post(c, make());
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: UNAUTHORIZED });
    expect([...c.cookies.keys()]).toEqual([]);
    expect(await countRows(app, "users")).toBe(users);
  });

  it.each([
    ["a body without initData", { init: "x" }],
    ["an extra field", { initData: "auth_date=1", next: "/admin" }],
    ["initData not a string", { initData: 5 }],
    ["no proof", { initData: `auth_date=${Math.floor(Date.now() / 1000)}&user=%7B%22id%22%3A1%7D` }],
  ])("answers %s with 400", async (_n, body) => {
    const res = await new Client(app.origin).request("POST", PATH, { json: body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^Malformed init data/);
  });

  it("refuses a body over the widget's limit with 413, and a cross-origin request with 403", async () => {
    const big = await new Client(app.origin).request("POST", PATH, { json: { initData: "a=" + "x".repeat(5000) } });
    expect(big.status).toBe(413);
    const cross = await new Client(app.origin).request("POST", PATH, {
      json: { initData: signedInitData({ id: freshId() }) },
      headers: { Origin: "https://evil.example" },
    });
    expect(cross.status).toBe(403);
  });

  it("shares the widget's limits: refusals from an address lead to 429 for both routes, a replay spends no budget", async () => {
    const from = (hop: string) => ({ "x-forwarded-for": hop });
    const hop = "198.51.100.210";
    for (let i = 0; i < 10; i++) {
      const bad = signedInitData({ id: freshId() }, { authDate: now() - 1000 });
      expect((await post(new Client(proxied.origin), bad, from(hop))).status).toBe(401);
    }
    const good = signedInitData({ id: freshId() });
    expect((await post(new Client(proxied.origin), good, from(hop))).status).toBe(429);
    const widget = await new Client(proxied.origin).request("POST", "/api/auth/telegram", {
      json: signedPayload({ id: freshId() }),
      headers: from(hop),
    });
    expect(widget.status).toBe(429);
    // Not claimed: the same init data still signs in from an address in good standing.
    expect((await post(new Client(proxied.origin), good, from("198.51.100.211"))).status).toBe(200);

    // A used init data replayed from many addresses never spends its owner's budget (10 per 10 minutes).
    const id = freshId();
    const owner = new Client(proxied.origin);
    const used = signedInitData({ id });
    expect((await post(owner, used, from("198.51.100.220"))).status).toBe(200);
    for (let i = 0; i < 12; i++)
      expect((await post(new Client(proxied.origin), used, from(`198.51.100.${230 + i}`))).status).toBe(401);
    expect((await post(new Client(proxied.origin), signedInitData({ id }), from("198.51.100.250"))).status).toBe(200);
  });
});

describe("a deployment with only the bot id (Ed25519)", () => {
  it("signs in with Telegram's signature, refuses it for another bot or when tampered, and once only", async () => {
    const c = new Client(idOnly.origin);
    const initData = signedInitData({ id: freshId(), first_name: "Signed" }, { proofs: "signature" });
    const res = await post(c, initData);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ next: "/consent" });
    expect((await post(new Client(idOnly.origin), initData)).status).toBe(401);
    // A valid hash alone proves nothing here: the server has no token to check it with.
    expect((await post(new Client(idOnly.origin), signedInitData({ id: freshId() }, { proofs: "hash" }))).status).toBe(
      401,
    );
    expect(
      (await post(new Client(idOnly.origin), signedInitData({ id: freshId() }, { proofs: "signature", botId: "99" })))
        .status,
    ).toBe(401);
    const tampered = signedInitData({ id: "88", first_name: "A" }, { proofs: "signature" }).replace(
      "%22A%22",
      "%22B%22",
    );
    expect((await post(new Client(idOnly.origin), tampered)).status).toBe(401);
    // The widget needs the token: not configured here.
    const widget = await new Client(idOnly.origin).request("POST", "/api/auth/telegram", {
      json: signedPayload({ id: freshId() }),
    });
    expect(widget.status).toBe(503);
  });
});

describe("the phone with one tap (requestContact)", () => {
  const phoneIndex = (e164: string) =>
    blindIndex(Buffer.from(app.env.BLIND_INDEX_KEY!, "base64"), "phone_number", e164);
  const contactPath = "/api/me/phone/miniapp-contact";
  const send = (c: Client, contact: string) => c.request("POST", contactPath, { json: { contact } });

  async function miniAppUser(purposes: Record<string, boolean>) {
    const id = freshId();
    const c = new Client(app.origin);
    expect(await (await post(c, signedInitData({ id }))).json()).toEqual({ next: "/consent" });
    expect(
      (await c.request("PUT", "/api/me/consents", { json: { purposes: { ...ONLY_ACCOUNT, ...purposes } } })).status,
    ).toBe(200);
    const userId = (await me(c)).id;
    const rows = () => countRows(app, "user_fields", "user_id = $1 AND field = 'phone_number'", [userId]);
    return { id, c, userId, rows };
  }

  it("stores the person's own number, E.164, encrypted and blind-indexed, once per answer", async () => {
    const { id, c, userId, rows } = await miniAppUser({ phone_contact: true });
    const contact = signedContact(id, "34 612 345 679");
    const res = await send(c, contact);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ stored: true, verified: false });
    expect((await me(c)).purposes.phone_contact!.fields.phone_number).toBe("+34612345679");
    const [row] = await query<{ blind_index: string }>(
      app,
      "SELECT * FROM user_fields WHERE user_id = $1 AND field = 'phone_number'",
      [userId],
    );
    expect(row!.blind_index).toBe(phoneIndex("+34612345679"));
    expect(JSON.stringify(row)).not.toContain("612345679");
    // The same signed answer again: refused, the number unchanged.
    expect((await send(c, contact)).status).toBe(401);
    expect(await rows()).toBe(1);
  });

  it("keeps nothing without a phone purpose, for another person's contact, or a forged one", async () => {
    const none = await miniAppUser({});
    const refusedNoPurpose = await send(none.c, signedContact(none.id, "34612345680"));
    expect(refusedNoPurpose.status).toBe(403);
    expect(await none.rows()).toBe(0);

    const { id, c, rows } = await miniAppUser({ phone_contact: true });
    expect((await send(c, signedContact(String(Number(id) + 1_000_000), "34612345681"))).status).toBe(401);
    expect((await send(c, signedContact(id, "34612345682", { token: "123:" + "x".repeat(35) }))).status).toBe(401);
    expect((await send(c, signedContact(id, "34612345683", { authDate: now() - 1000 }))).status).toBe(401);
    expect((await send(c, signedContact(id, "34612345684").replace("612345684", "612345685"))).status).toBe(401);
    expect((await new Client(app.origin).request("POST", contactPath, { json: { contact: "x" } })).status).toBe(401);
    expect(await rows()).toBe(0);
    expect(
      await countRows(app, "user_fields", "field = 'phone_number' AND blind_index = $1", [phoneIndex("+34612345681")]),
    ).toBe(0);
  });

  it("with only the one-time check granted, keeps the time of the check and not the number", async () => {
    const { id, c, userId, rows } = await miniAppUser({ phone_verification: true });
    const res = await send(c, signedContact(id, "34612345686"));
    expect(await res.json()).toEqual({ stored: false, verified: true });
    expect(await rows()).toBe(0);
    expect(
      await countRows(app, "purpose_outcomes", "user_id = $1 AND purpose_id = 'phone_verification'", [userId]),
    ).toBe(1);
  });
});
