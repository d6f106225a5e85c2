// A pending first sign-in across a blind-index key change (issue 25, item 2). The row of a pending
// sign-in is found and voided by the person's Telegram id index: a copy of its cookie taken before
// `npm run keys:rotate -- --blind-index` and used after the person logged out everywhere, or erased
// the account, must neither open their account nor create one.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyIdOf } from "../lib/core/env";
import { Client, ONLY_ACCOUNT, signedPayload } from "./support/client";
import { query } from "./support/inspect";
import { testSecrets } from "./support/secrets";
import { startApp, type TestApp } from "./support/server";

const OLD = randomBytes(32).toString("base64");
const NEW = randomBytes(32).toString("base64");
const secrets = { ...testSecrets(), BLIND_INDEX_KEY: OLD };
let app: TestApp;

beforeAll(async () => {
  app = await startApp({ label: "pending-rotation", secrets });
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
});

/** A copy of the cookies of a first sign-in waiting at the consent page. */
async function pendingCopy(telegramId: string): Promise<Map<string, string>> {
  const c = new Client(app.origin);
  const res = await c.request("POST", "/api/auth/telegram", { json: signedPayload({ id: telegramId }) });
  expect(((await res.json()) as { next: string }).next).toBe("/consent");
  return new Map(c.cookies);
}

async function finish(cookies: Map<string, string>) {
  const c = new Client(app.origin);
  c.cookies = new Map(cookies);
  const res = await c.request("PUT", "/api/me/consents", { json: { purposes: ONLY_ACCOUNT } });
  const me = await c.get("/api/me");
  return { status: res.status, me: me.status === 200 ? ((await me.json()) as { id: string }).id : null };
}

const userCount = async () => Number((await query<{ n: number }>(app, "SELECT count(*) AS n FROM users"))[0]!.n);

describe("a pending sign-in's cookie copied before a blind-index rotation", () => {
  it("opens nothing after the rotation, the person's logout everywhere or their erasure", async () => {
    const stays = String(840_000_000 + Math.floor(Math.random() * 1_000_000));
    const erases = String(Number(stays) + 1);
    const copies = { stays: await pendingCopy(stays), erases: await pendingCopy(erases) };
    const devices = { stays: new Client(app.origin), erases: new Client(app.origin) };
    await devices.stays.signIn({ id: stays });
    await devices.erases.signIn({ id: erases });
    const ownId = ((await (await devices.stays.get("/api/me")).json()) as { id: string }).id;

    // The operator's key change: the new key current, the old one still accepted, then the rotation.
    await app.stop();
    app = await startApp({
      label: "pending-rotation",
      db: app.db,
      secrets: { ...secrets, BLIND_INDEX_KEY: NEW, BLIND_INDEX_KEY_PREVIOUS: OLD },
    });
    const r = spawnSync("npm", ["run", "-s", "keys:rotate", "--", "--blind-index"], { env: app.env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(
      (await query<{ index_key_id: string }>(app, "SELECT index_key_id FROM users")).map((u) => u.index_key_id),
    ).toEqual([keyIdOf(Buffer.from(NEW, "base64")), keyIdOf(Buffer.from(NEW, "base64"))]);

    const again = { stays: new Client(app.origin), erases: new Client(app.origin) };
    await again.stays.signIn({ id: stays });
    expect((await again.stays.request("POST", "/api/auth/logout?everywhere=1")).status).toBe(200);
    await again.erases.signIn({ id: erases });
    expect((await again.erases.request("POST", "/api/me/delete")).status).toBe(200);
    expect(await userCount()).toBe(1);

    const afterLogout = await finish(copies.stays);
    expect(afterLogout.me, `the copy opened account ${afterLogout.me} (own id ${ownId})`).toBeNull();
    const afterErasure = await finish(copies.erases);
    expect(afterErasure.me, "the copy created an account for an erased person").toBeNull();
    expect(await userCount()).toBe(1);
    expect(await query(app, "SELECT id FROM pending_sign_ins")).toEqual([]);
    // A restart and a rotation run inside: more than the default minute on a busy machine.
  }, 240_000);
});
