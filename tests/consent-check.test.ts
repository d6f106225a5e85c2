// The no-live-consent check (lib/data/consent-check.ts) that the admin report reads the stored
// result of: it must count exactly what a full recount finds, whatever the chunk size (its chunks
// are ranges of user ids, and an off-by-one at a chunk edge would skip or double a value), and the
// report must only ever read a finished, successful run.
//
// Runs the check in this process against the running app's database (the purge test does the
// same), so the chunk size can be made tiny without a knob in the shipped code's configuration.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, EVERYTHING, ONLY_ACCOUNT } from "./support/client";
import { countRows, execute, query } from "./support/inspect";
import { startAppForThisProcess, stopAppForThisProcess, type TestApp } from "./support/server";

type CheckModule = typeof import("../lib/data/consent-check");

let app: TestApp;
let check: CheckModule;
// The driver's reader, as the admin report reads the check's result with it.
let readRows: (typeof import("../lib/data/direct-read"))["readRows"];
const users: string[] = [];
/** The check's last stored result, read as the admin report reads it: its statement, then its choice. */
async function lastCheck() {
  const { sql, params } = check.consentCheckRunsQuery();
  return check.newestConsentCheck(await readRows<import("../lib/data/consent-check").ConsentCheckRun>(sql, params));
}
const stamp = () =>
  app.db.kind === "sqlite"
    ? new Date().toISOString().replace("Z", "+00:00")
    : new Date().toISOString().replace("T", " ").replace("Z", "");

beforeAll(async () => {
  app = await startAppForThisProcess({ label: "consentcheck" });
  check = await import("../lib/data/consent-check");
  ({ readRows } = await import("../lib/data/direct-read"));
  // Eleven people with a mix of consents, so each field has a different number of values.
  const mixes = [
    ONLY_ACCOUNT,
    EVERYTHING,
    { ...ONLY_ACCOUNT, display_name: true },
    { ...ONLY_ACCOUNT, username: true, profile_photo: true },
  ];
  for (let i = 0; i < 11; i++) {
    const c = new Client(app.origin);
    await c.signIn(
      {
        id: String(812_000_000 + i),
        first_name: "Chunka",
        last_name: "Edgeworth",
        username: `ce_${i}`,
        photo_url: `https://t.me/i/userpic/320/ce${i}.jpg`,
      },
      mixes[i % mixes.length],
    );
    users.push(((await (await c.get("/api/me")).json()) as { id: string }).id);
  }
});

afterAll(async () => {
  await stopAppForThisProcess(app);
});

/** The same question answered the slow, obvious way: every row in JavaScript. */
async function recount(): Promise<{ valuesChecked: number; withoutLiveConsent: Record<string, number> }> {
  const { catalogue } = await import("../lib/domain/catalogue");
  const { FIELD_IDS } = await import("../lib/domain/fields");
  const fields = await query<{ user_id: string; field: string }>(app, `SELECT user_id, field FROM user_fields`);
  const grants = new Set(
    (
      await query<{ user_id: string; purpose_id: string; granted: unknown }>(
        app,
        `SELECT user_id, purpose_id, granted FROM consent_states`,
      )
    )
      .filter((g) => g.granted === true || g.granted === 1)
      .map((g) => `${g.user_id}|${g.purpose_id}`),
  );
  const withoutLiveConsent = Object.fromEntries(FIELD_IDS.map((f) => [f, 0]));
  let valuesChecked = 0;
  for (const row of fields) {
    if (!(FIELD_IDS as readonly string[]).includes(row.field)) continue;
    valuesChecked += 1;
    // A one-time purpose (phone verification) keeps an outcome, never the value: it covers no storage.
    const covering = catalogue().filter((p) => !p.oneTime && (p.fields as readonly string[]).includes(row.field));
    if (!covering.some((p) => grants.has(`${row.user_id}|${p.id}`))) withoutLiveConsent[row.field]! += 1;
  }
  return { valuesChecked, withoutLiveConsent };
}

describe("the no-live-consent check", () => {
  it("counts exactly what a full recount finds, at every chunk size, with violations at chunk edges", async () => {
    const sorted = [...users].sort();
    // Values nobody consented to, at the first, a middle and the last user id in key order, and a
    // field that someone consented to for one user but not for the next.
    // users[0] granted nothing but the account: its phone number is a violation for certain.
    for (const id of [sorted[0]!, sorted[5]!, sorted.at(-1)!, users[0]!]) {
      await execute(
        app,
        `INSERT INTO user_fields (user_id, field, ciphertext, blind_index, stored_at, updated_at) VALUES ($1, 'phone_number', $2, NULL, $3, $4) ON CONFLICT DO NOTHING`,
        [id, Buffer.from([9]), stamp(), stamp()],
      );
    }
    for (const id of sorted.slice(0, 4)) {
      await execute(
        app,
        `INSERT INTO user_fields (user_id, field, ciphertext, blind_index, stored_at, updated_at) VALUES ($1, 'first_name', $2, NULL, $3, $4) ON CONFLICT DO NOTHING`,
        [id, Buffer.from([9]), stamp(), stamp()],
      );
    }
    // users[0] also granted the one-time phone verification: that does not make its stored number lawful.
    await execute(
      app,
      `UPDATE consent_states SET granted = TRUE WHERE user_id = $1 AND purpose_id = 'phone_verification'`,
      [users[0]!],
    );
    const expected = await recount();
    expect(expected.withoutLiveConsent.phone_number).toBeGreaterThanOrEqual(1);
    expect(
      await countRows(app, "consent_states", "user_id = $1 AND purpose_id = 'phone_verification' AND granted = TRUE", [
        users[0]!,
      ]),
    ).toBe(1);
    const { db } = await import("../lib/data/db");
    const client = await db();
    for (const chunk of [1, 2, 3, 4, 7, 11, 12, 10_000]) {
      expect(await check.countStoredWithoutConsent(client, chunk), `chunk ${chunk}`).toEqual(expected);
    }
  });

  it("stores a run with its time and counts only, and the report reads the newest finished, successful run", async () => {
    const { db } = await import("../lib/data/db");
    const client = await db();
    const before = Date.now();
    const run = await check.runConsentCheck();
    expect(run.checkedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(run.finishedAt.getTime()).toBeGreaterThanOrEqual(run.checkedAt.getTime());
    expect(await lastCheck()).toEqual(run);
    const [row] = await query<{ result: string }>(
      app,
      `SELECT result FROM job_runs WHERE job = 'consent_check' ORDER BY id DESC LIMIT 1`,
    );
    for (const id of users) expect(row!.result).not.toContain(id);
    expect(row!.result).not.toMatch(/Chunka|Edgeworth|ce_\d|userpic/);

    // A run still going, and a run that failed, are newer but not shown.
    await client.jobRun.create({ data: { job: check.CONSENT_CHECK_JOB, startedAt: new Date(Date.now() + 1000) } });
    await client.jobRun.create({
      data: {
        job: check.CONSENT_CHECK_JOB,
        startedAt: new Date(Date.now() + 2000),
        finishedAt: new Date(Date.now() + 3000),
        result: JSON.stringify({ failed: true }),
      },
    });
    expect(await lastCheck()).toEqual(run);
    // An older successful run, stored after it (a restored backup's, say), is not the newest.
    await client.jobRun.create({
      data: {
        job: check.CONSENT_CHECK_JOB,
        startedAt: new Date(run.checkedAt.getTime() - 3_600_000),
        finishedAt: new Date(run.checkedAt.getTime() - 3_500_000),
        result: JSON.stringify({ ...run, valuesChecked: run.valuesChecked + 1 }),
      },
    });
    expect(await lastCheck()).toEqual(run);

    // The admin report shows that run's numbers, not a fresh count.
    const { getMinimizationReport } = await import("../lib/data/report");
    const { publishCount } = await import("../lib/data/report/suppression");
    await execute(
      app,
      `INSERT INTO user_fields (user_id, field, ciphertext, blind_index, stored_at, updated_at) VALUES ($1, 'phone_number', $2, NULL, $3, $4) ON CONFLICT DO NOTHING`,
      [users[1]!, Buffer.from([9]), stamp(), stamp()],
    );
    const r = await getMinimizationReport();
    expect(r.consentCheck.checkedAt).toBe(run.checkedAt.toISOString());
    expect(r.consentCheck.valuesChecked).toBe(publishCount(run.valuesChecked));
    expect(r.fields.find((f) => f.field === "phone_number")!.withoutLiveConsent).toBe(
      publishCount(run.withoutLiveConsent.phone_number),
    );
  });

  it("is run by the report itself on a database that was never checked", async () => {
    await execute(app, `DELETE FROM job_runs WHERE job = 'consent_check'`);
    const { getMinimizationReport } = await import("../lib/data/report");
    const r = await getMinimizationReport();
    const stored = await lastCheck();
    expect(stored).not.toBeNull();
    expect(r.consentCheck.checkedAt).toBe(stored!.checkedAt.toISOString());
    expect(stored!.withoutLiveConsent).toEqual((await recount()).withoutLiveConsent);
  });
});
