// The phone_contact purpose delivers (issue 14, item 3): an admin looks up a consenting person's
// number by the account reference the person quotes, with a reason from a closed list; the person
// sees each lookup; withdrawal, an older purpose text, an unknown reference and a non-admin are
// refused; the audit row never holds the number; lookups are limited per admin; erasure leaves
// nothing. Numbers come in through the real OpenID Connect phone path, against a local provider.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountReference } from "../lib/domain/account-reference";
import { Client, ONLY_ACCOUNT } from "./support/client";
import { countRows, execute, query, rawDatabaseBytes } from "./support/inspect";
import { startTestProvider, type TestProvider } from "./support/oidc-provider";
import { startApp, type TestApp } from "./support/server";

const ADMIN_ID = "812000001";
const SWEEPER_ID = "812000002";
let app: TestApp;
let provider: TestProvider;
let admin: Client;
let nextId = 812_100_000 + Math.floor(Math.random() * 100_000);
// Valid numbers as Telegram sends them (international, no "+"), one per person in this file.
let nextPhone = 4915123400000 + Math.floor(Math.random() * 10_000);

const REFUSAL =
  "No number to show: this person has not agreed to be contacted by phone, or there is no account with this reference.";

beforeAll(async () => {
  provider = await startTestProvider({ user: { id: 1, sub: "1" } });
  app = await startApp({
    label: "contact",
    env: {
      ADMIN_TELEGRAM_IDS: `${ADMIN_ID},${SWEEPER_ID}`,
      TELEGRAM_OIDC_ISSUER: provider.issuer,
      TELEGRAM_OIDC_CLIENT_ID: provider.clientId,
      TELEGRAM_OIDC_CLIENT_SECRET: provider.clientSecret,
      // The real limits: the per-admin lookup limit is under test.
      RATE_LIMIT_FACTOR: "1",
    },
  });
  provider.redirectUri = `${app.origin}/api/auth/oidc/callback`;
  admin = new Client(app.origin);
  await admin.signIn({ id: ADMIN_ID });
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
  await provider?.close();
});

const userIdOf = async (c: Client) => ((await (await c.get("/api/me")).json()) as { id: string }).id;

/** A person who granted `purposes` and (with phone_contact) shared a number through OpenID Connect. */
async function person(purposes: Record<string, boolean> = { phone_contact: true }) {
  const id = nextId++;
  const phone = String(nextPhone++);
  const c = new Client(app.origin);
  await c.signIn({ id: String(id) }, { ...ONLY_ACCOUNT, ...purposes });
  if (purposes.phone_contact) {
    provider.user = { id, sub: `${9_007_199_254_740_993n + BigInt(id)}`, name: "Paula", phone_number: phone };
    const start = await c.get("/api/auth/oidc/start?intent=phone");
    expect(start.status).toBe(303);
    const authorize = await fetch(start.headers.get("location")!, { redirect: "manual" });
    const callback = new URL(authorize.headers.get("location")!);
    const res = await c.get(`${callback.pathname}${callback.search}`);
    expect(res.headers.get("location")).toBe(`${app.origin}/settings?phone=saved`);
  }
  const userId = await userIdOf(c);
  return { c, userId, phone: `+${phone}`, reference: accountReference(userId) };
}

const lookUp = (c: Client, reference: unknown, reason: unknown = "security") =>
  c.request("POST", "/api/admin/contact", { json: { reference, reason } });

const lookupEvents = (userId: string) =>
  query<{ type: string; detail: string }>(
    app,
    `SELECT type, detail FROM audit_events WHERE subject_id = $1 AND type = 'contact.looked_up'`,
    [userId],
  );

describe("an admin looks up a consenting person's number", () => {
  it("granted: the admin sees the number; the audit row has the reason code and no number; the person sees the lookup", async () => {
    const p = await person();
    const settingsBefore = await (await p.c.get("/settings")).text();
    expect(settingsBefore).toContain(p.reference);
    expect(settingsBefore).toContain("Lookups of your number");
    expect(settingsBefore).toContain("None yet.");

    // Typed as a person might read it out: lower case, spaces instead of dashes.
    const res = await lookUp(admin, p.reference.toLowerCase().replace(/-/g, " "), "request");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ reference: p.reference, reason: "request", phoneNumber: p.phone });

    const events = await lookupEvents(p.userId);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.detail)).toEqual({ reason: "request", by: await userIdOf(admin) });
    // No form of the number anywhere in the audit trail, nor in the database files in clear.
    const digits = p.phone.slice(1);
    const audit = await query<{ detail: string | null }>(app, `SELECT detail FROM audit_events`);
    expect(audit.some((a) => (a.detail ?? "").includes(digits.slice(-7)))).toBe(false);
    expect((await rawDatabaseBytes(app)).includes(Buffer.from(digits))).toBe(false);
    expect(await readFileLog()).not.toContain(digits.slice(-7));

    const settings = await (await p.c.get("/settings")).text();
    expect(settings).toContain("Reply to your request");
    expect(settings).not.toContain("None yet.");
  });

  it("withdrawn: the number is erased and a lookup is refused; the history stays with the person", async () => {
    const p = await person();
    expect((await lookUp(admin, p.reference)).status).toBe(200);
    expect(
      (await p.c.request("PUT", "/api/me/consents", { json: { purposes: { phone_contact: false } } })).status,
    ).toBe(200);
    expect(await countRows(app, "user_fields", "user_id = $1 AND field = 'phone_number'", [p.userId])).toBe(0);
    const refusedBefore = await countRows(app, "audit_events", "type = 'contact.refused'");
    const res = await lookUp(admin, p.reference);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: REFUSAL });
    // The refusal names nobody; the one shown lookup is still listed for the person.
    expect(await countRows(app, "audit_events", "type = 'contact.refused' AND subject_id IS NULL")).toBe(
      refusedBefore + 1,
    );
    expect(await lookupEvents(p.userId)).toHaveLength(1);
    expect(await (await p.c.get("/settings")).text()).toContain("Security problem with your account");
  });

  it("one refusal for no consent, no number, an older purpose text and an unknown reference", async () => {
    const noConsent = await person({ display_name: true });
    const noNumber = new Client(app.origin);
    await noNumber.signIn({ id: String(nextId++) }, { ...ONLY_ACCOUNT, phone_contact: true });
    const oldText = await person();
    // A decision on an earlier text, which promised that nobody but the person sees the number.
    await execute(app, `UPDATE consent_states SET purpose_version = 'earliertext' WHERE user_id = $1`, [
      oldText.userId,
    ]);
    const references = [
      noConsent.reference,
      accountReference(await userIdOf(noNumber)),
      oldText.reference,
      "0000-0000-0000",
    ];
    for (const reference of references) {
      const res = await lookUp(admin, reference);
      expect(res.status, reference).toBe(404);
      expect(await res.json()).toEqual({ error: REFUSAL });
    }
    expect(await lookupEvents(oldText.userId)).toHaveLength(0);
    // Malformed input is a plain 400 and never reaches the data.
    expect((await lookUp(admin, "not a reference")).status).toBe(400);
    expect((await lookUp(admin, oldText.reference, "I just want to chat")).status).toBe(400);
  });

  it("non-admins and strangers are refused, on the API and the page", async () => {
    const p = await person();
    const outsider = new Client(app.origin);
    await outsider.signIn({ id: String(nextId++) });
    const refused = await lookUp(outsider, p.reference);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(await refused.json())).not.toContain(p.phone.slice(1));
    expect((await lookUp(new Client(app.origin), p.reference)).status).toBe(401);
    expect((await outsider.get("/admin/contact")).status).toBe(403);
    expect((await new Client(app.origin).get("/admin/contact")).status).toBe(403);
    // The page is the admin's; another origin cannot drive the API with the admin's cookie.
    expect(
      (
        await admin.request("POST", "/api/admin/contact", {
          json: { reference: p.reference, reason: "security" },
          origin: "https://evil.example",
        })
      ).status,
    ).toBe(403);
    expect((await admin.get("/admin/contact")).status).toBe(200);
    expect(await lookupEvents(p.userId)).toHaveLength(0);
  });

  it("limits lookups per admin, refused ones included, and says when to try again", async () => {
    const p = await person();
    const sweeper = new Client(app.origin);
    await sweeper.signIn({ id: SWEEPER_ID });
    for (let i = 0; i < 19; i++)
      expect((await lookUp(sweeper, `0000-0000-${String(i).padStart(4, "0")}`)).status).toBe(404);
    expect((await lookUp(sweeper, p.reference)).status).toBe(200);
    const limited = await lookUp(sweeper, p.reference);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await lookupEvents(p.userId)).toHaveLength(1);
    // Another admin is not held up by this one.
    expect((await lookUp(admin, p.reference)).status).toBe(200);
  });

  it("erasure leaves nothing: no lookup rows, and the reference finds no one", async () => {
    const p = await person();
    expect((await lookUp(admin, p.reference)).status).toBe(200);
    expect(await lookupEvents(p.userId)).toHaveLength(1);
    expect((await p.c.request("DELETE", "/api/me")).status).toBeLessThan(300);
    expect(await countRows(app, "audit_events", "subject_id = $1", [p.userId])).toBe(0);
    expect(await countRows(app, "user_fields", "user_id = $1", [p.userId])).toBe(0);
    expect((await lookUp(admin, p.reference)).status).toBe(404);
  });
});

async function readFileLog(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  return readFile(app.logFile, "utf8");
}
