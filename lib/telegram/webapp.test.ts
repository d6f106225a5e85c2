import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { signWebAppData, TELEGRAM_WEBAPP_PUBLIC_KEYS, verifyWebAppContact, verifyWebAppInitData } from "./webapp";

const read = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../tests/vectors/${name}`, import.meta.url), "utf8"));
const hmac: {
  vectors: { bot_token: string; init_data: string; hash: string; valid: boolean }[];
  telegram_public_keys_ed25519: { production: string; test: string };
} = read("telegram-mini-app.json");
const ed: { vectors: { bot_id: string; environment: "production" | "test"; init_data: string; valid: boolean }[] } =
  read("telegram-mini-app-ed25519.json");

const WINDOW = { maxAgeSeconds: 300, futureSkewSeconds: 60 };
const authDateOf = (initData: string) => Number(new URLSearchParams(initData).get("auth_date"));

describe("known-answer vectors", () => {
  it("carries Telegram's published keys", () => {
    expect(hmac.telegram_public_keys_ed25519).toEqual(TELEGRAM_WEBAPP_PUBLIC_KEYS);
  });

  for (const [i, v] of hmac.vectors.entries()) {
    it(`HMAC vector ${i} is ${v.valid ? "accepted" : "refused"} at its own time, refused with the real clock`, () => {
      const initData = `${v.init_data}&hash=${v.hash}`;
      const keys = { botToken: v.bot_token, botId: null, publicKeyHex: TELEGRAM_WEBAPP_PUBLIC_KEYS.production };
      const atItsTime = verifyWebAppInitData(initData, { ...keys, nowSeconds: authDateOf(initData) + 10, ...WINDOW });
      expect(atItsTime.ok).toBe(v.valid);
      if (atItsTime.ok) {
        expect(atItsTime.profile).toEqual({ telegramId: 42n, first_name: "Test" });
        expect(atItsTime.via).toBe("hash");
      }
      const now = verifyWebAppInitData(initData, { ...keys, nowSeconds: Math.floor(Date.now() / 1000), ...WINDOW });
      expect(now).toEqual({ ok: false, kind: "unauthorized" });
      // Another bot's token, at the vector's own time.
      const other = verifyWebAppInitData(initData, {
        ...keys,
        botToken: "42:OTHER",
        nowSeconds: authDateOf(initData) + 10,
        ...WINDOW,
      });
      expect(other).toEqual({ ok: false, kind: "unauthorized" });
    });
  }

  for (const [i, v] of ed.vectors.entries()) {
    it(`Ed25519 vector ${i} (${v.environment} key) is ${v.valid ? "accepted" : "refused"} with only the bot id`, () => {
      const opts = {
        botToken: null,
        botId: v.bot_id,
        publicKeyHex: TELEGRAM_WEBAPP_PUBLIC_KEYS[v.environment],
        nowSeconds: authDateOf(v.init_data) + 10,
        ...WINDOW,
      };
      const r = verifyWebAppInitData(v.init_data, opts);
      expect(r.ok).toBe(v.valid);
      if (r.ok) {
        expect(r.via).toBe("signature");
        expect(r.profile).toEqual({
          telegramId: 279058397n,
          first_name: "Vladislav + - ? /",
          last_name: "Kibenko",
          username: "vdkfrost",
          photo_url: "https://t.me/i/userpic/320/4FPEE4tmP3ATHa57u6MqTDih13LTOiMoKoLDRG4PnSA.svg",
        });
        expect(r.languageCode).toBe("ru");
        // Any changed field breaks the signature.
        const tampered = v.init_data.replace("chat_type=private", "chat_type=group");
        expect(verifyWebAppInitData(tampered, opts)).toEqual({ ok: false, kind: "unauthorized" });
        // And the real clock refuses it.
        expect(verifyWebAppInitData(v.init_data, { ...opts, nowSeconds: Math.floor(Date.now() / 1000) })).toEqual({
          ok: false,
          kind: "unauthorized",
        });
      }
    });
  }
});

describe("freshness, shape and proofs", () => {
  const now = 1_800_000_000;
  const token = "777:" + "t".repeat(35);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const publicKeyHex = publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
  const keys = { botToken: token, botId: "777", publicKeyHex };
  const opts = { ...keys, nowSeconds: now, ...WINDOW };
  const user = (u: Record<string, unknown>) => JSON.stringify({ id: 4503599627370495, first_name: "Ada", ...u });
  const signed = (fields: Record<string, string>, how: Parameters<typeof signWebAppData>[1] = { botToken: token }) =>
    signWebAppData({ auth_date: String(now), query_id: "AAH", user: user({}), ...fields }, how);

  it("accepts fresh data and keeps a 52-bit id exact, dropping fields it does not use", () => {
    const r = verifyWebAppInitData(signed({ user: user({ is_premium: true, language_code: "fa" }) }), opts);
    expect(r).toMatchObject({ ok: true, via: "hash", languageCode: "fa" });
    if (r.ok) expect(r.profile).toEqual({ telegramId: 4503599627370495n, first_name: "Ada" });
  });

  it("refuses stale data, future-dated data beyond the skew, and accepts the edges", () => {
    const at = (d: number) => verifyWebAppInitData(signed({ auth_date: String(d) }), opts).ok;
    expect(at(now - 300)).toBe(true);
    expect(at(now - 301)).toBe(false);
    expect(at(now + 60)).toBe(true);
    expect(at(now + 61)).toBe(false);
  });

  it("checks the signature with only the bot id, and refuses it for another bot or key", () => {
    const both = signed({}, { botToken: token, ed25519: { botId: "777", privateKey } });
    const onlySig = new URLSearchParams(both);
    onlySig.set("hash", "0".repeat(64));
    expect(verifyWebAppInitData(onlySig.toString(), { ...opts, botToken: null })).toMatchObject({
      ok: true,
      via: "signature",
    });
    // With the token too, a wrong hash still leaves the signature as a proof.
    expect(verifyWebAppInitData(onlySig.toString(), opts)).toMatchObject({ ok: true, via: "signature" });
    expect(verifyWebAppInitData(onlySig.toString(), { ...opts, botToken: null, botId: "778" }).ok).toBe(false);
    expect(
      verifyWebAppInitData(onlySig.toString(), {
        ...opts,
        botToken: null,
        publicKeyHex: TELEGRAM_WEBAPP_PUBLIC_KEYS.production,
      }).ok,
    ).toBe(false);
    // Without the bot id nothing checks the signature.
    expect(verifyWebAppInitData(onlySig.toString(), { ...opts, botId: null }).ok).toBe(false);
  });

  it("gives the same data one replay key, whichever proof admitted it", () => {
    const both = signed({}, { botToken: token, ed25519: { botId: "777", privateKey } });
    const a = verifyWebAppInitData(both, opts);
    const b = verifyWebAppInitData(both, { ...opts, botToken: null });
    const garbled = new URLSearchParams(both);
    garbled.set("hash", "f".repeat(64));
    const c = verifyWebAppInitData(garbled.toString(), opts);
    expect(a.ok && b.ok && c.ok && a.via === "hash" && c.via === "signature").toBe(true);
    // A copy with its hash swapped is admitted by the signature, and meets the same single-use key.
    if (a.ok && b.ok && c.ok) {
      expect(b.replayKey).toBe(a.replayKey);
      expect(c.replayKey).toBe(a.replayKey);
    }
    const other = verifyWebAppInitData(signed({ query_id: "AAI" }), opts);
    expect(other.ok && a.ok && other.replayKey !== a.replayKey).toBe(true);
  });

  it.each([
    ["tampered user", (s: string) => s.replace("Ada", "Eve")],
    ["removed field", (s: string) => s.replace(/query_id=AAH&?/, "")],
    ["added field", (s: string) => `${s}&start_param=x`],
  ])("refuses a %s as unauthorized", (_n, change) => {
    expect(verifyWebAppInitData(change(signed({})), opts)).toEqual({ ok: false, kind: "unauthorized" });
  });

  it.each([
    ["not a string", 42],
    ["empty", ""],
    ["no user", signWebAppData({ auth_date: String(now) }, { botToken: token })],
    // Signed, so it reaches the parsing of user (only signed data is parsed as JSON).
    ["user not JSON", signWebAppData({ auth_date: String(now), user: "{x" }, { botToken: token })],
    ["repeated field", "auth_date=1800000000&auth_date=1&hash=" + "0".repeat(64)],
    ["no proof", "auth_date=1800000000&user=%7B%7D"],
    ["bad hash", "auth_date=1800000000&hash=XYZ"],
    ["too long", "a=" + "x".repeat(4000)],
  ])("refuses %s as malformed, naming no value", (_n, input) => {
    const r = verifyWebAppInitData(input, opts);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.kind).toBe("malformed");
  });

  it("puts profile fields through the widget's rulebook", () => {
    const bad = verifyWebAppInitData(signed({ user: user({ photo_url: "http://x/y" }) }), opts);
    expect(bad).toMatchObject({ ok: false, kind: "malformed" });
    if (!bad.ok && bad.kind === "malformed") expect(bad.message).toContain("photo_url");
    expect(verifyWebAppInitData(signed({ user: user({ username: "no spaces" }) }), opts).ok).toBe(false);
  });

  it("refuses a bot account", () => {
    expect(verifyWebAppInitData(signed({ user: user({ is_bot: true }) }), opts)).toEqual({
      ok: false,
      kind: "unauthorized",
    });
  });

  it("verifies a contact signed like init data", () => {
    const contact = signWebAppData(
      {
        auth_date: String(now),
        contact: JSON.stringify({ user_id: 4503599627370495, phone_number: "+44 7700 900123" }),
      },
      { botToken: token },
    );
    expect(verifyWebAppContact(contact, opts)).toMatchObject({
      ok: true,
      telegramId: 4503599627370495n,
      phoneNumber: "+44 7700 900123",
    });
    expect(verifyWebAppContact(contact.replace("900123", "900124"), opts).ok).toBe(false);
    expect(verifyWebAppContact(contact, { ...opts, nowSeconds: now + 301 }).ok).toBe(false);
  });
});
