// Issue 20, item 5: backup, erase a person, restore the backup: the person stays erased. Through the
// running server and the operator's commands (`npm run backup`, `npm run restore`), on the database
// TEST_DB names; the erasure journal is a file outside the database, in DATA_DIR.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { Client, EVERYTHING, ONLY_ACCOUNT } from "./support/client";
import { secretsOf, storedState } from "./support/consistency";
import { testDbKind } from "./support/databases";
import { query } from "./support/inspect";
import { startApp, type TestApp } from "./support/server";

let app: TestApp | undefined;
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
});

const ERASED = { id: "934567123", first_name: "Backupina", username: "backupina_x" };
const KEPT = { id: "934567124", first_name: "Keeper" };

it(
  `a person erased after a backup stays erased when the backup is restored [${testDbKind()}]`,
  { timeout: 300_000 },
  async () => {
    app = await startApp({ label: "backup-restore" });
    const secrets = secretsOf(app.env);
    const erased = new Client(app.origin);
    await erased.signIn(ERASED, EVERYTHING);
    const erasedId = (await query<{ id: string }>(app, "SELECT id FROM users"))[0]!.id;
    await new Client(app.origin).signIn(KEPT, ONLY_ACCOUNT);
    expect((await storedState(app, erasedId)).fields).toContain("first_name");

    // While the app runs: a consistent copy (SQLite's WAL included).
    const backup = execFileSync("npm", ["run", "-s", "backup"], { env: app.env, encoding: "utf8" });
    const file = /backup written: (.+)/.exec(backup)![1]!.trim();
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    expect((await erased.request("DELETE", "/api/me")).status).toBe(200);
    expect((await storedState(app, erasedId)).user).toBe(false);
    // The journal holds the random id and nothing that names the person.
    const journal = readFileSync(join(app.db.dir, "erasure-journal.log"), "utf8");
    expect(journal).toContain(erasedId);
    for (const personal of [ERASED.id, ERASED.first_name, ERASED.username]) expect(journal).not.toContain(personal);

    await app.stop();
    const restore = spawnSync("npm", ["run", "-s", "restore", "--", file], { env: app.env, encoding: "utf8" });
    expect(restore.stderr).toBe("");
    expect(restore.status).toBe(0);
    // The backup held the person (the replay found them), and the replay erased them again.
    expect(restore.stdout).toMatch(/1 erased accounts on record, 1 of them were in the backup and are erased again/);
    expect(await storedState(app, erasedId)).toEqual({ user: false, fields: [], consents: [] });
    expect(await query(app, "SELECT user_id FROM user_fields WHERE user_id = $1", [erasedId])).toHaveLength(0);

    app = await startApp({ label: "backup-restore", db: app.db, secrets });
    // Signing in again makes a new, empty account: asked for consent, nothing of the old in the export.
    const back = new Client(app.origin);
    expect((await back.signIn(ERASED, ONLY_ACCOUNT)).next).toBe("/consent");
    const exported = await (await back.get("/api/me/export")).text();
    expect(exported).not.toContain(ERASED.first_name);
    expect(exported).not.toContain(ERASED.username);
    expect(exported).not.toContain(erasedId);
    // The person kept is still theirs, and the ledger agrees with the restored states.
    expect((await new Client(app.origin).signIn(KEPT)).next).not.toBe("/consent");
    const verify = spawnSync("npm", ["run", "-s", "ledger:verify"], { env: app.env, encoding: "utf8" });
    expect(verify.stdout).toMatch(/consent states agree with the ledger/);
    expect(verify.status).toBe(0);
  },
);
