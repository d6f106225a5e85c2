// Retention (issue 4): the purge erases what has outlived every purpose covering it and keeps the
// rest, with an injected clock; it is idempotent, and concurrent runs erase each value once.
//
// The clock is injected by calling purgeExpired(now) in this process, against the database the
// running app uses (same configuration, set before lib/ is imported). That keeps a fake clock out
// of the shipped command entirely: `npm run purge` has no time-travel flag to guard in production.
// The concurrency test runs the real command twice at once on data aged through the client.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHIPPED_PURPOSES } from "../lib/domain/purposes";
import { Client } from "./support/client";
import { counterMismatches, storedState } from "./support/consistency";
import { freshDatabase } from "./support/databases";
import { countRows, query } from "./support/inspect";
import { startApp, startAppForThisProcess, stopAppForThisProcess, type TestApp } from "./support/server";

type PurgeModule = typeof import("../lib/data/purge");
type Me = {
  id: string;
  purposes: Record<string, { granted: boolean; fields: Record<string, string>; purgeAt: Record<string, string> }>;
};

const DAY = 86_400_000;
// The shipped catalogue plus a second purpose covering photo_url for longer, and a one-time purpose.
const PURPOSES = [
  ...Object.entries(SHIPPED_PURPOSES).map(([id, p]) => ({ id, ...p, fields: [...p.fields] })),
  {
    id: "team_directory",
    title: "Team directory",
    justification: "We list your photo in the team directory.",
    ifRefused: "You are not listed.",
    fields: ["photo_url"],
    required: false,
    retentionDays: 180,
  },
  {
    id: "username_check",
    title: "Check your username once",
    justification: "We check once that your username matches our records.",
    ifRefused: "We do not check it.",
    fields: ["username"],
    required: false,
    retentionDays: 30,
    oneTime: true,
  },
];
const BASE = {
  account: true,
  display_name: false,
  username: false,
  profile_photo: false,
  phone_contact: false,
  team_directory: false,
  username_check: false,
};

let app: TestApp;
let purge: PurgeModule;
let nextId = 810_000_000;

beforeAll(async () => {
  const db = await freshDatabase("purge");
  const purposesFile = join(db.dir, "purposes.json");
  writeFileSync(purposesFile, JSON.stringify(PURPOSES));
  // The two added purposes are written in English only (the older flat shape): the site offers English alone.
  app = await startAppForThisProcess(
    { label: "purge", db, env: { PURPOSES_FILE: purposesFile, LANGUAGES: "en" } },
    { PURGE_INTERVAL_MINUTES: "60" },
  );
  purge = await import("../lib/data/purge");
});
afterAll(async () => {
  await stopAppForThisProcess(app);
});

async function signUp(
  decisions: Partial<typeof BASE>,
  profile: Record<string, string> = {},
): Promise<{ client: Client; me: Me }> {
  const client = new Client(app.origin);
  await client.signIn(
    {
      id: String(nextId++),
      first_name: "Purga",
      last_name: "Testa",
      username: `pt_${nextId}`,
      photo_url: `https://t.me/i/userpic/320/${nextId}.jpg`,
      ...profile,
    },
    { ...BASE, ...decisions },
  );
  return { client, me: (await (await client.get("/api/me")).json()) as Me };
}

async function fieldsOf(userId: string): Promise<string[]> {
  return (await storedState(app, userId)).fields;
}

const at = (iso: string, deltaMs = 0) => new Date(new Date(iso).getTime() + deltaMs);

describe("retention of field values", () => {
  it("keeps a value until the purge time the user is shown, erases it then, and a second run erases nothing", async () => {
    const { me } = await signUp({ display_name: true, username: true, profile_photo: true });
    expect(await fieldsOf(me.id)).toEqual(["first_name", "last_name", "photo_url", "telegram_id", "username"]);
    const photoAt = me.purposes.profile_photo!.purgeAt.photo_url!;
    const nameAt = me.purposes.display_name!.purgeAt.first_name!;

    expect(await purge.purgeExpired(at(photoAt, -1))).toEqual({
      accountsErased: 0,
      fieldsErased: 0,
      fieldsErasedByField: {},
    });
    expect(await fieldsOf(me.id)).toEqual(["first_name", "last_name", "photo_url", "telegram_id", "username"]);

    expect(await purge.purgeExpired(at(photoAt))).toEqual({
      accountsErased: 0,
      fieldsErased: 1,
      fieldsErasedByField: { photo_url: 1 },
    });
    expect(await fieldsOf(me.id)).toEqual(["first_name", "last_name", "telegram_id", "username"]);
    expect(await purge.purgeExpired(at(photoAt))).toEqual({
      accountsErased: 0,
      fieldsErased: 0,
      fieldsErasedByField: {},
    });

    expect(await purge.purgeExpired(at(nameAt, -1))).toMatchObject({ fieldsErased: 0 });
    expect(await purge.purgeExpired(at(nameAt))).toEqual({
      accountsErased: 0,
      fieldsErased: 3,
      fieldsErasedByField: { first_name: 1, last_name: 1, username: 1 },
    });
    // The account outlives its fields: it has its own, longer retention from the last sign-in.
    expect(await storedState(app, me.id)).toMatchObject({ user: true, fields: ["telegram_id"] });
    expect(await counterMismatches(app)).toEqual([]);
  });

  it("a value covered by two granted purposes lives for the longer retention", async () => {
    const both = await signUp({ profile_photo: true, team_directory: true });
    const one = await signUp({ profile_photo: true });
    const shortAt = both.me.purposes.profile_photo!.purgeAt.photo_url!;
    const longAt = both.me.purposes.team_directory!.purgeAt.photo_url!;
    expect(new Date(longAt).getTime() - new Date(shortAt).getTime()).toBe(90 * DAY);

    // `one` signed up after `both`: purge at its own purge time, not both's plus a guessed margin
    // (a stall of a second between the two sign-ups failed that).
    const oneAt = one.me.purposes.profile_photo!.purgeAt.photo_url!;
    expect(new Date(oneAt).getTime()).toBeLessThan(new Date(longAt).getTime());
    await purge.purgeExpired(at(oneAt));
    expect(await fieldsOf(one.me.id)).toEqual(["telegram_id"]);
    expect(await fieldsOf(both.me.id)).toEqual(["photo_url", "telegram_id"]);
    await purge.purgeExpired(at(longAt, -1));
    expect(await fieldsOf(both.me.id)).toEqual(["photo_url", "telegram_id"]);
    await purge.purgeExpired(at(longAt));
    expect(await fieldsOf(both.me.id)).toEqual(["telegram_id"]);
    expect(await counterMismatches(app)).toEqual([]);
  });

  it("a one-time purpose keeps only the outcome: its value is never stored, its consent record stays", async () => {
    const once = await signUp({ username_check: true });
    const kept = await signUp({ username_check: true, username: true });
    // The storage gate does not count one-time purposes as covering a field (lib/domain/catalogue.ts).
    expect(await fieldsOf(once.me.id)).toEqual(["telegram_id"]);

    const counts = await purge.purgeExpired(new Date());
    expect(counts.fieldsErasedByField.username ?? 0).toBe(0);
    expect(await fieldsOf(once.me.id)).toEqual(["telegram_id"]);
    // A lasting purpose covering the same field keeps it for its own retention.
    expect(await fieldsOf(kept.me.id)).toEqual(["telegram_id", "username"]);
    // The outcome: the decision and its ledger record, with no value.
    expect((await storedState(app, once.me.id)).consents).toContain("username_check=true");
    expect(
      await countRows(
        app,
        "consent_records",
        "subject_id = $1 AND purpose_id = 'username_check' AND decision = 'granted'",
        [once.me.id],
      ),
    ).toBe(1);
    expect(await counterMismatches(app)).toEqual([]);
  });

  it("erases a value that no granted purpose covers any more (a withdrawal that left it behind)", async () => {
    const { me } = await signUp({ display_name: true });
    // Behind the app's back, as a bug or an interrupted tool would: the consent is gone, the value is not.
    const { execute } = await import("./support/inspect");
    await execute(app, `UPDATE consent_states SET granted = false WHERE user_id = $1 AND purpose_id = 'display_name'`, [
      me.id,
    ]);
    await execute(app, `UPDATE counters SET value = value - 1 WHERE name = 'purpose_active:display_name'`);
    expect(await purge.purgeExpired(new Date())).toMatchObject({
      fieldsErased: 2,
      fieldsErasedByField: { first_name: 1, last_name: 1 },
    });
    expect(await fieldsOf(me.id)).toEqual(["telegram_id"]);
    expect(await counterMismatches(app)).toEqual([]);
    // ledger:verify sees the forged state too: the ledger's latest decision is still the grant.
    const verify = spawnSync("npm", ["run", "-s", "ledger:verify"], { env: app.env, encoding: "utf8" });
    expect(verify.status).toBe(1);
    expect(verify.stderr).toMatch(/states unlike their latest record: +1\b/);
    // Undone, so that the ledger checks later in this file see only what the app itself did.
    await execute(app, `UPDATE consent_states SET granted = true WHERE user_id = $1 AND purpose_id = 'display_name'`, [
      me.id,
    ]);
    await execute(app, `UPDATE counters SET value = value + 1 WHERE name = 'purpose_active:display_name'`);
    expect(await counterMismatches(app)).toEqual([]);
  });
});

describe("retention of accounts", () => {
  it("erases an account when the account purpose's retention has passed since the last sign-in, through the erasure", async () => {
    const { client, me } = await signUp({ display_name: true, team_directory: true });
    const accountAt = me.purposes.account!.purgeAt.telegram_id!;
    const erasuresBefore = Number(
      (await query<{ value: number }>(app, `SELECT value FROM counters WHERE name = 'erasures'`))[0]?.value ?? 0,
    );
    const usersBefore = await countRows(app, "users");

    // Every other account in this file signed in earlier, so it is past retention a moment sooner.
    expect(await purge.purgeExpired(at(accountAt, -1))).toMatchObject({ accountsErased: usersBefore - 1 });
    expect((await storedState(app, me.id)).user).toBe(true);

    expect(await purge.purgeExpired(at(accountAt))).toEqual({
      accountsErased: 1,
      fieldsErased: 0,
      fieldsErasedByField: {},
    });
    expect(await storedState(app, me.id)).toEqual({ user: false, fields: [], consents: [] });
    expect(await countRows(app, "users")).toBe(0);
    // Journaled like an erasure the person asks for, so a restored backup does not bring it back.
    expect(readFileSync(join(app.db.dir, "erasure-journal.log"), "utf8")).toContain(me.id);
    expect(await purge.purgeExpired(at(accountAt))).toEqual({
      accountsErased: 0,
      fieldsErased: 0,
      fieldsErasedByField: {},
    });

    // The proof that consent ended stays, naming the method; the erasure is counted.
    const ledger = await query<{ purpose_id: string; decision: string; method: string }>(
      app,
      `SELECT purpose_id, decision, method FROM consent_records WHERE subject_id = $1 AND method = 'purge' ORDER BY seq`,
      [me.id],
    );
    expect(ledger).toEqual([
      { purpose_id: "account", decision: "withdrawn", method: "purge" },
      { purpose_id: "display_name", decision: "withdrawn", method: "purge" },
      { purpose_id: "team_directory", decision: "withdrawn", method: "purge" },
    ]);
    expect(
      Number((await query<{ value: number }>(app, `SELECT value FROM counters WHERE name = 'erasures'`))[0]!.value),
    ).toBe(erasuresBefore + usersBefore);
    expect(await countRows(app, "audit_events", "subject_id = $1", [me.id])).toBe(0);
    expect(await counterMismatches(app)).toEqual([]);
    const { verifyLedger } = await import("../lib/data/ledger");
    expect(await verifyLedger()).toMatchObject({ ok: true });
    // Every session of the erased account ends.
    expect((await client.get("/api/me")).status).toBe(401);
  });
});

describe("bookkeeping and schedule", () => {
  it("records each run with its counts and tells when the next scheduled run is due", async () => {
    const counts = await purge.purgeExpired(new Date());
    const last = await purge.lastPurgeRun();
    expect(last?.result).toEqual(counts);
    expect(last?.finishedAt).toBeInstanceOf(Date);
    expect((await purge.nextPurgeAt())?.getTime()).toBe(last!.startedAt.getTime() + 60 * 60_000);
    // A run that started moments ago makes a scheduled tick a no-op.
    const runs = await countRows(app, "job_runs", "job = 'purge'");
    expect(await purge.purgeIfDue()).toBeNull();
    expect(await countRows(app, "job_runs", "job = 'purge'")).toBe(runs);
    const rows = await query<{ result: string }>(app, `SELECT result FROM job_runs WHERE job = 'purge' ORDER BY id`);
    expect(rows.length).toBeGreaterThanOrEqual(10);
    // Counts only: nothing but numbers under the known keys.
    for (const r of rows)
      expect(Object.keys(JSON.parse(r.result)).sort()).toEqual([
        "accountsErased",
        "fieldsErased",
        "fieldsErasedByField",
      ]);
  });

  it("the app runs the purge on its schedule, logging counts only", async () => {
    const scheduled = await startApp({ label: "purge-schedule", env: { PURGE_INTERVAL_MINUTES: "1" } });
    try {
      const { readFileSync } = await import("node:fs");
      const logged = () =>
        /"event":"purge.completed","accounts":0,"fields":0/.test(readFileSync(scheduled.logFile, "utf8"));
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !logged()) await new Promise((r) => setTimeout(r, 250));
      expect(logged()).toBe(true);
      expect(await countRows(scheduled, "job_runs", "job = 'purge' AND finished_at IS NOT NULL")).toBe(1);
    } finally {
      await scheduled.stop();
      await scheduled.db.drop();
    }
  });
});

describe("concurrent runs", () => {
  it(
    "two purge processes at once erase each value once, and the counters equal a full recount",
    { timeout: 300_000 },
    async () => {
      const { createAccount } = await import("../lib/data/users");
      const { db } = await import("../lib/data/db");
      const make = async (n: number, decisions: Partial<typeof BASE>) => {
        const ids: string[] = [];
        for (let i = 0; i < n; i += 5) {
          const chunk = await Promise.all(
            Array.from({ length: Math.min(5, n - i) }, () => {
              const id = nextId++;
              return createAccount(
                {
                  telegramId: BigInt(id),
                  first_name: "Con",
                  last_name: "Current",
                  username: `cc_${id}`,
                  photo_url: `https://t.me/i/userpic/320/${id}.jpg`,
                },
                { ...BASE, ...decisions },
                "api",
              );
            }),
          );
          ids.push(...chunk.map((c) => c.userId));
        }
        return ids;
      };
      // Seeding only: this test process's own connection skips the per-commit fsync (the app and the
      // purge processes keep synchronous = FULL), or a thousand sign-ups take minutes on SQLite.
      if (app.db.kind === "sqlite") await (await db()).$queryRawUnsafe("PRAGMA synchronous = NORMAL");
      // Sizes give the runs more than one batch of values (500 per transaction) to interleave, kept small
      // enough that CI stays within its time budget.
      const aged = await make(300, { display_name: true, username: true, profile_photo: true });
      const dormant = await make(60, {});
      const fresh = await make(15, { display_name: true, username: true, profile_photo: true });
      // Age rows through the client, so each database stores the dates in its own format.
      const client = await db();
      for (let i = 0; i < aged.length; i += 500) {
        await client.userField.updateMany({
          where: { userId: { in: aged.slice(i, i + 500) }, field: { not: "telegram_id" } },
          data: { updatedAt: new Date(Date.now() - 400 * DAY) },
        });
      }
      await client.user.updateMany({
        where: { id: { in: dormant } },
        data: { lastSignInAt: new Date(Date.now() - 800 * DAY) },
      });
      expect(await counterMismatches(app)).toEqual([]);

      const run = () => promisify(execFile)("npm", ["run", "-s", "purge"], { env: app.env, encoding: "utf8" });
      const outputs = (await Promise.all([run(), run()])).map((r) => r.stdout);
      const parsed = outputs.map((o) => {
        const m = /^purge: (\d+) accounts erased, (\d+) field values erased/m.exec(o);
        expect(m, o).not.toBeNull();
        return { accounts: Number(m![1]), fields: Number(m![2]) };
      });
      // Whether the two runs overlapped depends on process start-up times, which this machine does not
      // control; the totals and the recount below hold either way, and are what must never fail.
      expect(await countRows(app, "job_runs", "job = 'purge'")).toBeGreaterThanOrEqual(2);
      console.log(
        `concurrent purge [${app.db.kind}]: process A erased ${parsed[0]!.accounts} accounts/${parsed[0]!.fields} values, process B ${parsed[1]!.accounts}/${parsed[1]!.fields}`,
      );
      expect(parsed[0]!.accounts + parsed[1]!.accounts).toBe(dormant.length);
      expect(parsed[0]!.fields + parsed[1]!.fields).toBe(aged.length * 4);
      for (const o of outputs) expect(o).not.toMatch(/Con|Current|cc_|userpic/);

      expect(await countRows(app, "users")).toBe(aged.length + fresh.length);
      expect(await countRows(app, "user_fields")).toBe(aged.length + fresh.length * 5);
      expect(await counterMismatches(app)).toEqual([]);
      expect(
        await countRows(app, "consent_records", "method = 'purge' AND decision = 'withdrawn'"),
      ).toBeGreaterThanOrEqual(dormant.length);
      expect(execFileSync("npm", ["run", "-s", "ledger:verify"], { env: app.env, encoding: "utf8" })).toMatch(
        /ledger intact/,
      );
      expect((await run()).stdout).toMatch(/^purge: 0 accounts erased, 0 field values erased/m);
    },
  );
});
