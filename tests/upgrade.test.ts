// Upgrades from real releases, with data (issue 20). Each fixture under tests/fixtures/releases/ was
// made by that release's own code (scripts/release-fixture.ts): people in every state, created through
// its HTTP API. Here the fixture's database is upgraded to this version with `npm run db:migrate`, then
// the production build runs on it and every fact of the manifest is checked through the server: the
// same account at sign-in, the same decisions, the same values in the export, the erased person
// still erased, the ledger intact, the admin report equal to a recount.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishCount } from "../lib/data/report/suppression";
import type { FixtureManifest, FixturePerson } from "../scripts/release-fixture";
import { Client, ONLY_ACCOUNT, signedPayload } from "./support/client";
import { counterMismatches } from "./support/consistency";
import { freshDatabase, type TestDatabase } from "./support/databases";
import { countRows, query } from "./support/inspect";
import { startApp, type TestApp } from "./support/server";

const FIXTURES = join(process.cwd(), "tests/fixtures/releases");
const releases = readdirSync(FIXTURES).sort();

type Exported = {
  account: { id: string };
  purposes: {
    id: string;
    version: string | null;
    granted: boolean | null;
    decidedAt: string | null;
    decision: { version: string; current: boolean } | null;
    outcomeAt?: string | null;
    stored: Record<string, { value: string }>;
  }[];
};

/** Counts every table, the migrator's own bookkeeping left out. */
async function tableRows(db: TestDatabase): Promise<Record<string, number>> {
  const app = { db };
  const tables =
    db.kind === "sqlite"
      ? await query<{ t: string }>(
          app,
          `SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
        )
      : await query<{ t: string }>(app, `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`);
  const out: Record<string, number> = {};
  for (const { t } of tables) if (t !== "_app_migrations") out[t] = await countRows(app, t);
  return out;
}

describe.each(releases)("upgrading a %s database with data", (release) => {
  const dir = join(FIXTURES, release);
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as FixtureManifest;
  const fixtureEnv = JSON.parse(readFileSync(join(dir, "env.json"), "utf8")) as Record<string, string>;
  let db: TestDatabase;
  let app: TestApp;
  let migrateOutput = "";
  let rowsAfter: Record<string, number> = {};
  const people = (pred: (p: FixturePerson) => boolean) => manifest.people.filter(pred);

  beforeAll(async () => {
    db = await freshDatabase(`upgrade-${release}`);
    if (db.kind === "sqlite") copyFileSync(join(dir, "sqlite.db"), db.sqliteFile!);
    else execFileSync("pg_restore", ["--no-owner", "--no-acl", `--dbname=${db.url}`, join(dir, "postgres.dump")]);
    // The operator's upgrade: the command the README gives, then the new version starts.
    migrateOutput = execFileSync("npm", ["run", "-s", "db:migrate"], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        DATA_DIR: db.dir,
        BACKUP_DIR: join(db.dir, "backups"),
        LOG_LEVEL: "warn",
      },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    rowsAfter = await tableRows(db);
    app = await startApp({
      label: `upgrade-${release}`,
      db,
      secrets: {
        TELEGRAM_BOT_TOKEN: fixtureEnv.TELEGRAM_BOT_TOKEN!,
        TELEGRAM_BOT_USERNAME: fixtureEnv.TELEGRAM_BOT_USERNAME!,
        SESSION_SECRET: fixtureEnv.SESSION_SECRET!,
        FIELD_ENCRYPTION_KEY: fixtureEnv.FIELD_ENCRYPTION_KEY!,
        BLIND_INDEX_KEY: fixtureEnv.BLIND_INDEX_KEY!,
      },
      env: {
        ADMIN_TELEGRAM_IDS: fixtureEnv.ADMIN_TELEGRAM_IDS!,
        TELEGRAM_WEBHOOK_SECRET: fixtureEnv.TELEGRAM_WEBHOOK_SECRET!,
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  const signIn = async (p: FixturePerson) => {
    const c = new Client(app.origin);
    const res = await c.request("POST", "/api/auth/telegram", {
      json: signedPayload(p.profile, { token: fixtureEnv.TELEGRAM_BOT_TOKEN }),
    });
    expect(res.status, p.key).toBe(200);
    return { c, next: ((await res.json()) as { next: string }).next };
  };
  const exported = async (c: Client) => (await (await c.get("/api/me/export")).json()) as Exported;

  it("migrates after a backup, and no table loses a row", async () => {
    const lost = Object.entries(manifest.rows[db.kind])
      .filter(([t]) => t !== "_app_migrations")
      .filter(([t, n]) => (rowsAfter[t] ?? 0) !== n)
      .map(([t, n]) => `${t}: ${n} -> ${rowsAfter[t] ?? 0}`);
    expect(lost).toEqual([]);
    expect(migrateOutput).toMatch(/^applied \d+ migration\(s\): /m);
    const backup = /^backup before upgrading: (.+)$/m.exec(migrateOutput)?.[1];
    expect(backup && existsSync(backup), migrateOutput).toBe(true);
  });

  it("every person signs in to the same account, with the same decisions and values; a changed text re-asks exactly those who decided on it", async () => {
    const changed = new Set<string>();
    for (const p of people((x) => !x.erased && !x.pending)) {
      const { c, next } = await signIn(p);
      const e = await exported(c);
      expect(e.account.id, p.key).toBe(manifest.people.find((x) => x.key === p.key)!.userId[db.kind]);
      for (const x of e.purposes) if (x.version !== manifest.purposeVersions[x.id]) changed.add(x.id);
      const decided = e.purposes.filter((x) => x.decidedAt);
      expect(Object.fromEntries(decided.map((x) => [x.id, x.granted])), p.key).toEqual(p.decisions);
      // A decision stays current exactly when the purpose's text is the one it was made on.
      for (const x of decided) expect(x.decision?.current, `${p.key} ${x.id}`).toBe(!changed.has(x.id));
      const reasked = Object.keys(p.decisions).some((id) => changed.has(id));
      expect(next, p.key).toBe(reasked ? "/consent" : "/settings");
      const values = Object.fromEntries(
        e.purposes.flatMap((x) => Object.entries(x.stored).map(([f, v]) => [f, v.value])),
      );
      expect(values, p.key).toEqual(p.values);
      expect(
        e.purposes.filter((x) => x.outcomeAt).map((x) => x.id),
        p.key,
      ).toEqual(p.outcomes);
      if (!reasked) continue;
      // Answering again only what changed, the same way as before, is all the consent page needs:
      // the next sign-in goes straight to the settings, and nothing stored was lost on the way.
      const again = Object.fromEntries(Object.entries(p.decisions).filter(([id]) => changed.has(id)));
      expect((await c.request("PUT", "/api/me/consents", { json: { purposes: again } })).status, p.key).toBe(200);
      expect((await signIn(p)).next, p.key).toBe("/settings");
      const after = await exported(c);
      expect(
        after.purposes.every((x) => !x.decidedAt || x.decision?.current),
        p.key,
      ).toBe(true);
      expect(
        Object.fromEntries(after.purposes.flatMap((x) => Object.entries(x.stored).map(([f, v]) => [f, v.value]))),
        p.key,
      ).toEqual(p.values);
    }
    // The fixture decides on every purpose, so the catalogue's changes since the release are what
    // re-asks: printed for the reader, and a release whose texts all changed would show here.
    console.log(`${release}: purposes whose text changed since: ${[...changed].join(", ") || "none"}`);
    expect(changed.size).toBeLessThan(Object.keys(manifest.purposeVersions).length);
  });

  it("the erased person stays erased, and the half-finished sign-in never became an account", async () => {
    for (const p of people((x) => x.erased || x.pending)) {
      const before = await countRows(app, "users");
      const { c, next } = await signIn(p);
      // A stranger to the app: asked for consent, no account until they answer.
      expect(next, p.key).toBe("/consent");
      expect(await countRows(app, "users")).toBe(before);
      expect((await c.request("PUT", "/api/me/consents", { json: { purposes: ONLY_ACCOUNT } })).status).toBe(200);
      const e = await exported(c);
      if (p.userId[db.kind]) expect(e.account.id).not.toBe(p.userId[db.kind]);
      const stored = e.purposes.flatMap((x) => Object.keys(x.stored));
      expect(stored, p.key).toEqual(["telegram_id"]);
    }
    const erased = people((x) => x.erased).map((x) => x.userId[db.kind]!);
    expect(erased.length).toBeGreaterThan(0);
    for (const id of erased) expect(await countRows(app, "users", "id = $1", [id])).toBe(0);
  });

  it("npm run ledger:verify passes on the upgraded ledger", () => {
    const out = execFileSync("npm", ["run", "-s", "ledger:verify"], {
      env: { ...app.env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(out).toMatch(/ledger intact/);
  });

  it("the admin still sees the report, and it equals a recount", async () => {
    const [admin] = people((x) => x.admin);
    const { c } = await signIn(admin!);
    const res = await c.get("/api/admin/report");
    expect(res.status).toBe(200);
    const r = (await res.json()) as {
      users: unknown;
      fields: { field: string; stored: unknown }[];
      purposes: { id: string; activeConsents: unknown }[];
    };
    expect(await counterMismatches(app)).toEqual([]);
    // The report leaves the admin's own account out of its live counts (docs/decisions/010).
    const adminId = ((await (await c.get("/api/me")).json()) as { id: string }).id;
    expect(r.users).toBe(publishCount(await countRows(app, "users", "id <> $1", [adminId])));
    for (const f of r.fields)
      expect(f.stored, f.field).toBe(
        publishCount(await countRows(app, "user_fields", "field = $1 AND user_id <> $2", [f.field, adminId])),
      );
    for (const p of r.purposes)
      expect(p.activeConsents, p.id).toBe(
        publishCount(
          await countRows(app, "consent_states", "purpose_id = $1 AND granted = true AND user_id <> $2", [
            p.id,
            adminId,
          ]),
        ),
      );
  });
});
