// Our own records about people have a stated retention (issue 25, item 7): audit events, the
// contact lookups among them, sessions, used sign-in payloads and pending sign-ins are deleted by
// the purge once older than it, and the rest stay. The same figures are stated on the consent page,
// in the person's export and in the admin report. Through the production build and `npm run purge`.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, ONLY_ACCOUNT } from "./support/client";
import { execute, query } from "./support/inspect";
import { startApp, type TestApp } from "./support/server";

const ADMIN_ID = "813900001";
const DAY = 86_400_000;
let app: TestApp;
let person: Client;
let personId = "";

beforeAll(async () => {
  app = await startApp({
    label: "record-retention",
    env: { ADMIN_TELEGRAM_IDS: ADMIN_ID, AUDIT_RETENTION_DAYS: "30", CONTACT_LOOKUP_RETENTION_DAYS: "60" },
  });
  person = new Client(app.origin);
  await person.signIn({ id: String(813_910_000 + Math.floor(Math.random() * 10_000)) }, ONLY_ACCOUNT);
  personId = ((await (await person.get("/api/me")).json()) as { id: string }).id;
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
});

/** A time as the database column holds it, and the SQL to write it. */
const at = (msAgo: number) => {
  const iso = new Date(Date.now() - msAgo).toISOString();
  return app.db.kind === "postgres" ? iso.replace("T", " ").replace("Z", "") : iso.replace("Z", "+00:00");
};
const timeSql = (n: number) => (app.db.kind === "postgres" ? `CAST($${n} AS TIMESTAMP(3))` : `$${n}`);

async function audit(type: string, msAgo: number, marker: string) {
  await execute(app, `INSERT INTO audit_events (type, subject_id, at, detail) VALUES ($1, $2, ${timeSql(3)}, $4)`, [
    type,
    personId,
    at(msAgo),
    JSON.stringify({ marker }),
  ]);
}

const markers = async () =>
  (await query<{ detail: string | null }>(app, "SELECT detail FROM audit_events WHERE detail LIKE '%marker%'"))
    .map((r) => (JSON.parse(r.detail!) as { marker: string }).marker)
    .sort();

describe("the purge", () => {
  it("deletes our records about people once older than their retention, and keeps the rest", async () => {
    await audit("auth.signed_in", 31 * DAY, "sign-in 31 days ago");
    await audit("auth.signed_in", 29 * DAY, "sign-in 29 days ago");
    await audit("contact.looked_up", 61 * DAY, "lookup 61 days ago");
    await audit("contact.looked_up", 45 * DAY, "lookup 45 days ago");
    const old = randomBytes(8).toString("hex");
    await execute(
      app,
      `INSERT INTO sessions (id, user_id, expires_at, created_at) VALUES ($1, $2, ${timeSql(3)}, ${timeSql(4)})`,
      [`old-${old}`, personId, at(DAY), at(2 * DAY)],
    );
    await execute(app, `INSERT INTO used_login_payloads (digest, expires_at) VALUES ($1, ${timeSql(2)})`, [
      `old-${old}`,
      at(DAY),
    ]);
    await execute(
      app,
      `INSERT INTO pending_sign_ins (id, telegram_id_index, expires_at) VALUES ($1, $2, ${timeSql(3)})`,
      [`old-${old}`, "x", at(DAY)],
    );
    const liveSessions = await query<{ id: string }>(app, "SELECT id FROM sessions WHERE id NOT LIKE 'old-%'");

    const out = execFileSync("npm", ["run", "-s", "purge"], { env: app.env, encoding: "utf8" });
    expect(out).toMatch(/records past retention deleted \(.*audit_events 1.*contact_lookups 1.*sessions 1/);

    expect(await markers()).toEqual(["lookup 45 days ago", "sign-in 29 days ago"]);
    for (const table of ["sessions", "used_login_payloads", "pending_sign_ins"])
      expect(
        await query(app, `SELECT 1 FROM ${table} WHERE ${table === "used_login_payloads" ? "digest" : "id"} = $1`, [
          `old-${old}`,
        ]),
        table,
      ).toEqual([]);
    // The person's live session and today's events stay.
    expect(await query<{ id: string }>(app, "SELECT id FROM sessions WHERE id NOT LIKE 'old-%'")).toEqual(liveSessions);
    expect((await person.get("/api/me")).status).toBe(200);
    expect(
      (await query(app, "SELECT 1 FROM audit_events WHERE subject_id = $1 AND type = 'user.created'", [personId]))
        .length,
    ).toBe(1);
  });
});

describe("the stated retention", () => {
  it("is on the consent page, in the export and in the admin report, with the configured figures", async () => {
    const visitor = new Client(app.origin);
    await visitor.request("POST", "/api/auth/telegram", {
      json: (await import("./support/client")).signedPayload({ id: "813900077" }),
    });
    const consent = await (await visitor.get("/consent")).text();
    expect(consent).toContain('data-testid="own-records"');
    expect(consent).toMatch(/30 days/);
    expect(consent).toMatch(/60 days/);

    const exported = (await (await person.get("/api/me/export")).json()) as {
      recordsKept: { record: string; amount: number; unit: string }[];
    };
    expect(exported.recordsKept).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ record: "audit_events", amount: 30, unit: "days" }),
        expect.objectContaining({ record: "contact_lookups", amount: 60, unit: "days" }),
        expect.objectContaining({ record: "sessions", amount: 12, unit: "hours" }),
      ]),
    );

    const admin = new Client(app.origin);
    await admin.signIn({ id: ADMIN_ID });
    const report = (await (await admin.get("/api/admin/report")).json()) as {
      recordsKept: { record: string; seconds: number }[];
    };
    expect(report.recordsKept.find((r) => r.record === "audit_events")?.seconds).toBe(30 * 86_400);
    expect(await (await admin.get("/admin")).text()).toContain('data-testid="records-kept"');
  });
});
