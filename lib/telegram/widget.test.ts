import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signWidgetPayload, verifyWidgetPayload } from "./widget";

type Vector = { bot_token: string; fields: Record<string, string>; hash: string; valid: boolean };
const vectors: Vector[] = JSON.parse(
  readFileSync(new URL("../../tests/vectors/telegram-login-widget.json", import.meta.url), "utf8"),
).vectors;

const WINDOW = { maxAgeSeconds: 300, futureSkewSeconds: 60 };
const TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11";

describe("known-answer vectors", () => {
  for (const [i, v] of vectors.entries()) {
    it(`vector ${i} is ${v.valid ? "accepted" : "refused"} at its own time, refused with the real clock`, async () => {
      const payload = { ...v.fields, hash: v.hash };
      const atItsTime = await verifyWidgetPayload(payload, {
        botToken: v.bot_token,
        nowSeconds: Number(v.fields.auth_date) + 10,
        ...WINDOW,
      });
      expect(atItsTime.ok).toBe(v.valid);
      if (atItsTime.ok) expect(atItsTime.profile.telegramId).toBe(BigInt(v.fields.id!));
      const now = await verifyWidgetPayload(payload, {
        botToken: v.bot_token,
        nowSeconds: Math.floor(Date.now() / 1000),
        ...WINDOW,
      });
      expect(now.ok).toBe(false);
    });
  }
});

describe("freshness and shape", () => {
  const now = 1_800_000_000;
  const base = { id: "4503599627370495", first_name: "Ada", auth_date: String(now) };

  it("keeps a 52-bit id exact", async () => {
    const r = await verifyWidgetPayload(signWidgetPayload(TOKEN, base), {
      botToken: TOKEN,
      nowSeconds: now,
      ...WINDOW,
    });
    expect(r.ok && r.profile.telegramId).toBe(4503599627370495n);
  });

  it("refuses stale, future beyond skew; accepts the edges", async () => {
    const at = (d: number) =>
      verifyWidgetPayload(signWidgetPayload(TOKEN, { ...base, auth_date: String(now + d) }), {
        botToken: TOKEN,
        nowSeconds: now,
        ...WINDOW,
      });
    expect((await at(-300)).ok).toBe(true);
    expect((await at(-301)).ok).toBe(false);
    expect((await at(60)).ok).toBe(true);
    expect((await at(61)).ok).toBe(false);
  });

  it("calls a bad shape malformed and names the field, not its value", async () => {
    const r = await verifyWidgetPayload(
      { ...signWidgetPayload(TOKEN, base), id: "12abc" },
      { botToken: TOKEN, nowSeconds: now, ...WINDOW },
    );
    expect(r).toMatchObject({ ok: false, kind: "malformed" });
    expect(!r.ok && r.kind === "malformed" && r.message).toContain("id");
    const extra = await verifyWidgetPayload(
      { ...signWidgetPayload(TOKEN, base), user: '{"id":1}' },
      { botToken: TOKEN, nowSeconds: now, ...WINDOW },
    );
    expect(extra).toMatchObject({ ok: false, kind: "malformed" });
    const upper = await verifyWidgetPayload(
      { ...signWidgetPayload(TOKEN, base), hash: "A".repeat(64) },
      { botToken: TOKEN, nowSeconds: now, ...WINDOW },
    );
    expect(upper).toMatchObject({ ok: false, kind: "malformed" });
  });
});

describe("every mutation of a valid payload is refused (property)", () => {
  const now = 1_800_000_000;
  const fieldNames = ["id", "first_name", "last_name", "username", "photo_url", "auth_date"] as const;
  const payloadArb = fc.record(
    {
      id: fc.bigInt({ min: 1n, max: (1n << 52n) - 1n }).map(String),
      first_name: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s)),
      last_name: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s)),
      username: fc.stringMatching(/^[A-Za-z0-9_]{5,32}$/),
      photo_url: fc.constantFrom("https://t.me/i/userpic/320/a.jpg", "https://cdn.example/x.png"),
      auth_date: fc.integer({ min: now - 300, max: now + 60 }).map(String),
    },
    { requiredKeys: ["id", "auth_date"] },
  );
  const opts = { botToken: TOKEN, nowSeconds: now, ...WINDOW };

  it("accepts every freshly signed payload", async () => {
    await fc.assert(
      fc.asyncProperty(
        payloadArb,
        async (p) => (await verifyWidgetPayload(signWidgetPayload(TOKEN, p as Record<string, string>), opts)).ok,
      ),
      { numRuns: 500 },
    );
  });

  it("refuses changed, added and removed fields, wrong tokens and shifted dates", async () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant("change" as const),
        field: fc.constantFrom(...fieldNames),
        value: fc.string({ minLength: 1, maxLength: 20 }),
      }),
      fc.record({
        kind: fc.constant("add" as const),
        field: fc.constantFrom("first_name", "last_name", "username", "photo_url", "extra", "user"),
        value: fc.stringMatching(/^[a-z]{5,10}$/),
      }),
      fc.record({ kind: fc.constant("remove" as const), field: fc.constantFrom(...fieldNames, "hash") }),
      fc.record({
        kind: fc.constant("token" as const),
        token: fc.stringMatching(/^[0-9]{6,10}:[A-Za-z0-9_-]{30,35}$/),
      }),
      fc.record({
        kind: fc.constant("shift" as const),
        by: fc.oneof(fc.integer({ min: 361, max: 10_000_000 }), fc.integer({ min: -10_000_000, max: -361 })),
      }),
      fc.record({ kind: fc.constant("hash" as const), at: fc.nat(63) }),
    );
    await fc.assert(
      fc.asyncProperty(payloadArb, mutation, async (p, m) => {
        const signed = signWidgetPayload(TOKEN, p as Record<string, string>);
        let candidate: Record<string, string> = { ...signed };
        let token = TOKEN;
        if (m.kind === "change") {
          if (candidate[m.field] === m.value) return true; // not a mutation
          candidate[m.field] = m.value;
        } else if (m.kind === "add") {
          if (m.field in candidate) return true;
          candidate[m.field] = m.value;
        } else if (m.kind === "remove") {
          if (!(m.field in candidate)) return true;
          delete candidate[m.field];
        } else if (m.kind === "token") {
          if (m.token === TOKEN) return true;
          token = m.token;
        } else if (m.kind === "shift") {
          // Re-signed with the shifted date: a valid signature on a stale or future payload.
          candidate = signWidgetPayload(TOKEN, {
            ...(p as Record<string, string>),
            auth_date: String(Number(p.auth_date) + m.by),
          });
        } else {
          const c = signed.hash![m.at]!;
          candidate.hash = signed.hash!.slice(0, m.at) + (c === "0" ? "1" : "0") + signed.hash!.slice(m.at + 1);
        }
        const r = await verifyWidgetPayload(candidate, { ...opts, botToken: token });
        return r.ok === false;
      }),
      { numRuns: 5000 },
    );
  });
});
