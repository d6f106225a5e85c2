// Issue 20, item 3: `npm run ledger:verify` checks the present, not only the chain. A database wiped
// the way the old SQLite migrator wiped it (every consent state of the people with grants gone,
// ledger intact) is reported inconsistent, exit 1, and the admin report shows the last run.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client, EVERYTHING, ONLY_ACCOUNT } from "./support/client";
import { testDbKind } from "./support/databases";
import { execute } from "./support/inspect";
import { startApp, type TestApp } from "./support/server";

const ADMIN_ID = "945678901";
let app: TestApp;
let admin: Client;
beforeAll(async () => {
  app = await startApp({ label: "ledger-present", env: { ADMIN_TELEGRAM_IDS: ADMIN_ID } });
  admin = new Client(app.origin);
  await admin.signIn({ id: ADMIN_ID });
  for (let i = 0; i < 3; i++) await new Client(app.origin).signIn({ id: String(945678910 + i) }, EVERYTHING);
  const c = new Client(app.origin);
  await c.signIn({ id: "945678920" }, ONLY_ACCOUNT);
  // A withdrawal, so the latest decision differs from the first.
  await c.request("PUT", "/api/me/consents", { json: { purposes: { display_name: true } } });
  await c.request("PUT", "/api/me/consents", { json: { purposes: { display_name: false } } });
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
});

const verify = () => spawnSync("npm", ["run", "-s", "ledger:verify"], { env: app.env, encoding: "utf8" });

type LedgerCheck = { ok: boolean; chainIntact: boolean; problems: number | string; checkedAt: string } | null;
async function reportedCheck(): Promise<LedgerCheck> {
  const res = await admin.get("/api/admin/report");
  expect(res.status).toBe(200);
  const body = (await res.json()) as { ledgerCheck: LedgerCheck; users: unknown };
  expect(body.users).toBeDefined();
  return body.ledgerCheck;
}

it(`ledger:verify compares the consent states with the ledger and reports a wipe [${testDbKind()}]`, async () => {
  expect(await reportedCheck()).toBeNull();
  const clean = verify();
  expect(clean.status).toBe(0);
  expect(clean.stdout).toMatch(/ledger intact/);
  expect(clean.stdout).toMatch(/consent states agree with the ledger: \d+ states/);
  expect(await reportedCheck()).toMatchObject({ ok: true, chainIntact: true, problems: 0 });

  // The wipe: the states of everyone with a grant deleted behind the ledger's back.
  await execute(
    app,
    `DELETE FROM consent_states WHERE user_id IN (SELECT user_id FROM consent_states WHERE granted = ${
      testDbKind() === "postgres" ? "true" : "1"
    })`,
  );
  const wiped = verify();
  expect(wiped.status).toBe(1);
  expect(wiped.stdout).toMatch(/ledger intact/);
  expect(wiped.stderr).toMatch(/CONSENT STATES DISAGREE WITH THE LEDGER/);
  expect(wiped.stderr).toMatch(/grants in the ledger without a state: +([1-9]\d*)/);
  const after = await reportedCheck();
  expect(after).toMatchObject({ ok: false, chainIntact: true });
  expect(after!.problems).not.toBe(0);
});

it("a state changed behind the ledger's back is a problem too", async () => {
  await new Client(app.origin).signIn({ id: "945678930" }, ONLY_ACCOUNT);
  await execute(app, `UPDATE consent_states SET purpose_version = 'forged' WHERE purpose_id = 'account'`);
  const r = verify();
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/states unlike their latest record: +[1-9]/);
});
