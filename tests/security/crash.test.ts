// Crash consistency: the server is killed with SIGKILL at random moments while concurrent clients
// sign up, change consents, sign in again and erase their accounts. Two instances share the
// database; each round boots their successors while the load still runs, then kills the current
// two mid-traffic (so a kill costs half a boot). After every kill, on a snapshot of the
// database: it passes its integrity check (SQLite), nobody is half erased, no stored field lacks a
// live consent, and the counters and ledger head agree with the rows. At the end, with every
// process gone, the same checks again and the ledger's hash chain is walked.
import { execFileSync } from "node:child_process";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { SHIPPED_CATALOGUE } from "../../lib/domain/purposes";
import { Client, signedPayload } from "../support/client";
import { freshDatabase, type TestDatabase } from "../support/databases";
import { testSecrets } from "../support/secrets";
import { startApp, type TestApp } from "../support/server";
import { recordFigure } from "./support";

// `npm run test:security` kills 20 times; `-- --soak` 100 (scripts/test-security.mjs).
const KILLS = Number(process.env.CRASH_ROUNDS ?? "20");
const WORKERS = 4;
// Two instances share the database (several processes on one SQLite file, or several app servers on
// PostgreSQL); each round boots two successors in parallel and kills both: half the boots per kill.
const INSTANCES = 2;
const PEOPLE = 40;

let db: TestDatabase | undefined;
const apps: TestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.stop("SIGKILL");
  await db?.drop();
});

// A decision is live on the current version of the language it was made in.
const COVER = SHIPPED_CATALOGUE.flatMap((p) =>
  Object.entries(p.versions).flatMap(([locale, v]) =>
    p.fields.map((f) => `('${p.id}', '${locale}', '${v.version}', '${f}')`),
  ),
).join(", ");

/** Each check is a count of rows that break a rule: all must be zero. */
const CHECKS: Record<string, string> = {
  "fields of a user who no longer exists": `SELECT COUNT(*) AS n FROM user_fields f WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = f.user_id)`,
  "consent states of a user who no longer exists": `SELECT COUNT(*) AS n FROM consent_states s WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id)`,
  "sessions of a user who no longer exists": `SELECT COUNT(*) AS n FROM sessions x WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.user_id)`,
  "users without their granted account consent": `SELECT COUNT(*) AS n FROM users u WHERE NOT EXISTS (SELECT 1 FROM consent_states s WHERE s.user_id = u.id AND s.purpose_id = 'account' AND s.granted = TRUE)`,
  "users without their Telegram id field": `SELECT COUNT(*) AS n FROM users u WHERE NOT EXISTS (SELECT 1 FROM user_fields f WHERE f.user_id = u.id AND f.field = 'telegram_id')`,
  "stored fields without a live consent covering them": `WITH cover(purpose_id, locale, purpose_version, field) AS (VALUES ${COVER})
    SELECT COUNT(*) AS n FROM user_fields f WHERE NOT EXISTS (
      SELECT 1 FROM consent_states s JOIN cover c ON c.purpose_id = s.purpose_id AND c.locale = s.locale AND c.purpose_version = s.purpose_version
      WHERE s.user_id = f.user_id AND s.granted = TRUE AND c.field = f.field)`,
  "users counter off the row count": `SELECT ABS(COALESCE((SELECT value FROM counters WHERE name = 'users'), 0) - (SELECT COUNT(*) FROM users)) AS n`,
  "stored-field counters off the row counts": `SELECT COUNT(*) AS n FROM counters c WHERE c.name LIKE 'field_stored:%' AND c.value <> (SELECT COUNT(*) FROM user_fields f WHERE 'field_stored:' || f.field = c.name)`,
  "active-purpose counters off the row counts": `SELECT COUNT(*) AS n FROM counters c WHERE c.name LIKE 'purpose_active:%' AND c.value <> (SELECT COUNT(*) FROM consent_states s WHERE s.granted = TRUE AND 'purpose_active:' || s.purpose_id = c.name)`,
  "ledger head off the ledger": `SELECT COUNT(*) AS n FROM ledger_head h WHERE h.seq <> (SELECT COUNT(*) FROM consent_records) OR h.seq <> COALESCE((SELECT MAX(seq) FROM consent_records), 0)`,
};

type Snapshot = { problems: string[]; users: number; fields: number; integrity: string };

/** All checks on one consistent snapshot, taken while the next instance may be writing. */
async function inspect(database: TestDatabase): Promise<Snapshot> {
  const problems: string[] = [];
  if (database.kind === "sqlite") {
    const conn = new Database(database.sqliteFile!, { readonly: true, fileMustExist: true });
    try {
      conn.pragma("busy_timeout = 10000");
      conn.exec("BEGIN");
      const integrity = (conn.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[])
        .map((r) => r.integrity_check)
        .join("; ");
      for (const [name, sql] of Object.entries(CHECKS)) {
        const n = Number((conn.prepare(sql).get() as { n: number }).n);
        if (n !== 0) problems.push(`${name}: ${n}`);
      }
      const users = Number((conn.prepare("SELECT COUNT(*) AS n FROM users").get() as { n: number }).n);
      const fields = Number((conn.prepare("SELECT COUNT(*) AS n FROM user_fields").get() as { n: number }).n);
      conn.exec("COMMIT");
      if (integrity !== "ok") problems.push(`integrity_check: ${integrity}`);
      return { problems, users, fields, integrity };
    } finally {
      conn.close();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    for (const [name, sql] of Object.entries(CHECKS)) {
      const n = Number((await client.query(sql)).rows[0].n);
      if (n !== 0) problems.push(`${name}: ${n}`);
    }
    // PostgreSQL has no integrity_check; the foreign keys themselves must still be in force.
    const fks = Number(
      (
        await client.query(
          `SELECT COUNT(*) AS n FROM pg_constraint WHERE contype = 'f' AND convalidated AND conrelid::regclass::text IN ('user_fields', 'consent_states', 'sessions')`,
        )
      ).rows[0].n,
    );
    if (fks < 3) problems.push(`foreign keys missing: ${fks}`);
    const users = Number((await client.query("SELECT COUNT(*) AS n FROM users")).rows[0].n);
    const fields = Number((await client.query("SELECT COUNT(*) AS n FROM user_fields")).rows[0].n);
    await client.query("COMMIT");
    return { problems, users, fields, integrity: "consistency queries" };
  } finally {
    await client.end();
  }
}

type Person = { id: string; cookies: Map<string, string> | null };

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const OPTIONAL = SHIPPED_CATALOGUE.filter((p) => !p.required).map((p) => p.id);
const randomDecisions = () =>
  Object.fromEntries([["account", true], ...OPTIONAL.map((id) => [id, Math.random() < 0.6])]);

it(`survives ${KILLS} SIGKILLs during concurrent consent changes and erasures`, { timeout: 900_000 }, async () => {
  db = await freshDatabase("sec-crash");
  const secrets = testSecrets();
  const boot = async () => {
    const a = await startApp({ label: "sec-crash", db, secrets });
    apps.push(a);
    return a;
  };
  const live: TestApp[] = await Promise.all(Array.from({ length: INSTANCES }, boot));
  const people: Person[] = Array.from({ length: PEOPLE }, (_, i) => ({
    id: String(4_400_007_000_000 + i),
    cookies: null,
  }));
  const ops = { ok: 0, failed: 0, signups: 0, consentChanges: 0, erasures: 0, signIns: 0 };
  let stopping = false;

  async function one(): Promise<void> {
    const p = pick(people);
    const target = pick(live);
    const c = new Client(target.origin);
    if (p.cookies) c.cookies = new Map(p.cookies);
    const profile = {
      id: p.id,
      first_name: `Crash${p.id.slice(-3)}`,
      last_name: "Load",
      username: `crash_${p.id.slice(-4)}`,
      photo_url: `https://t.me/i/userpic/320/c${p.id.slice(-4)}.jpg`,
    };
    const r = Math.random();
    if (!p.cookies) {
      await c.signIn(profile, randomDecisions());
      ops.signups += 1;
    } else if (r < 0.55) {
      const purposes = Object.fromEntries(
        OPTIONAL.filter(() => Math.random() < 0.6).map((id) => [id, Math.random() < 0.5]),
      );
      await c.request("PUT", "/api/me/consents", {
        json: { purposes: Object.keys(purposes).length ? purposes : { display_name: false } },
      });
      ops.consentChanges += 1;
    } else if (r < 0.75) {
      // Signing in again writes the fields the user's consents cover.
      const fresh = new Client(target.origin);
      const res = await fresh.request("POST", "/api/auth/telegram", { json: signedPayload(profile) });
      if (res.status === 200 && ((await res.json()) as { next: string }).next !== "/consent") c.cookies = fresh.cookies;
      ops.signIns += 1;
    } else if (r < 0.9) {
      const res = await c.request("DELETE", "/api/me");
      if (res.status === 200) c.cookies = new Map();
      ops.erasures += 1;
    } else {
      await (await c.get("/api/me")).body?.cancel();
    }
    p.cookies = c.cookies.size ? c.cookies : null;
  }

  async function worker(): Promise<void> {
    while (!stopping) {
      try {
        await one();
        ops.ok += 1;
      } catch {
        // The server was killed under this request, or the instance is switching: expected.
        ops.failed += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  const workers = Array.from({ length: WORKERS }, worker);
  const started = Date.now();
  let survived = 0;
  let maxUsers = 0;
  try {
    while (survived < KILLS) {
      // The successors boot while the current instances are under load; each kill lands mid-traffic.
      const successors = await Promise.all(live.map(() => boot()));
      for (let i = 0; i < live.length && survived < KILLS; i++) {
        await new Promise((r) => setTimeout(r, Math.random() * 300));
        const victim = live[i]!;
        live[i] = successors[i]!;
        await victim.stop("SIGKILL");
        const snap = await inspect(db);
        expect(snap.problems, `after kill ${survived + 1}`).toEqual([]);
        maxUsers = Math.max(maxUsers, snap.users);
        survived += 1;
      }
    }
  } finally {
    stopping = true;
    await Promise.all(workers);
    // Whatever still runs is stopped the same way (not counted).
    for (const a of live) await a.stop("SIGKILL");
  }

  // Every process is gone: the next opener recovers the WAL (SQLite) and finds the same rules kept.
  if (db.kind === "sqlite") {
    const conn = new Database(db.sqliteFile!);
    try {
      expect(conn.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(conn.pragma("foreign_key_check")).toEqual([]);
    } finally {
      conn.close();
    }
  }
  const final = await inspect(db);
  expect(final.problems).toEqual([]);
  const verify = execFileSync("npm", ["run", "-s", "ledger:verify"], {
    env: { ...apps[0]!.env, NODE_ENV: "production" },
    encoding: "utf8",
  });
  expect(verify).toMatch(/ledger intact: \d+ records/);

  // The load really ran through the kills: many operations, accounts created and erased.
  expect(ops.ok).toBeGreaterThan(KILLS * 3);
  expect(ops.signups).toBeGreaterThan(PEOPLE / 2);
  expect(ops.erasures).toBeGreaterThan(5);
  expect(maxUsers).toBeGreaterThan(5);
  recordFigure(
    "SIGKILLs survived",
    survived,
    `${ops.ok} operations completed, ${ops.failed} cut by kills, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  console.log(
    `crash: ${survived} kills, ops ${JSON.stringify(ops)}, final users ${final.users}, fields ${final.fields}`,
  );
});
