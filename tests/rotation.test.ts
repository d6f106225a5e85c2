// Master-key rotation through the running app and `npm run keys:rotate`: users stay readable under
// old and new keys while it runs, it resumes after a partial run without wrapping anything twice,
// reports keys it cannot re-wrap and carries on, and afterwards the old key is no longer needed.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyIdOf } from "../lib/core/env";
import { Client, EVERYTHING } from "./support/client";
import { execute, query } from "./support/inspect";
import { testSecrets } from "./support/secrets";
import { startApp, type TestApp } from "./support/server";

const KEY_A = randomBytes(32).toString("base64");
const KEY_B = randomBytes(32).toString("base64");
const ID_A = keyIdOf(Buffer.from(KEY_A, "base64"));
const ID_B = keyIdOf(Buffer.from(KEY_B, "base64"));
const secrets = { ...testSecrets(), FIELD_ENCRYPTION_KEY: KEY_A };

type Me = { id: string; purposes: Record<string, { fields: Record<string, string> }> };
type Person = { cookies: Map<string, string>; id: string; fields: Record<string, string>; plaintext: string[] };

let app: TestApp;
const people: Person[] = [];
let nextTelegramId = 810_000_000;

function fieldsOf(me: Me): Record<string, string> {
  return Object.assign({}, ...Object.values(me.purposes).map((p) => p.fields));
}

async function signUp(target: TestApp, n: number): Promise<Person> {
  const c = new Client(target.origin);
  const telegramId = String(nextTelegramId++);
  const profile = {
    id: telegramId,
    first_name: `Rotfirst${n}`,
    last_name: `Rotlast${n}`,
    username: `rot_user_${n}`,
    photo_url: `https://t.me/i/userpic/320/rot${n}.jpg`,
  };
  await c.signIn(profile, EVERYTHING);
  const me = (await (await c.get("/api/me")).json()) as Me;
  const fields = fieldsOf(me);
  expect(fields).toMatchObject({ first_name: profile.first_name, username: profile.username, telegram_id: telegramId });
  return {
    cookies: new Map(c.cookies),
    id: me.id,
    fields,
    plaintext: [profile.first_name, profile.last_name, profile.username, `rot${n}.jpg`, telegramId],
  };
}

/** GET /api/me as that person, against whichever app is running now (sessions survive restarts). */
async function meAs(person: Person) {
  const c = new Client(app.origin);
  c.cookies = new Map(person.cookies);
  const res = await c.get("/api/me");
  return { status: res.status, text: await res.text() };
}

async function expectAllReadable() {
  for (const p of people) {
    const { status, text } = await meAs(p);
    expect(status).toBe(200);
    expect(fieldsOf(JSON.parse(text) as Me)).toEqual(p.fields);
  }
}

async function wrapState(): Promise<Map<string, { keyId: string; wrapped: string }>> {
  const rows = await query<{ id: string; wrap_key_id: string; wrapped_data_key: Uint8Array }>(
    app,
    `SELECT id, wrap_key_id, wrapped_data_key FROM users ORDER BY id`,
  );
  return new Map(
    rows.map((r) => [r.id, { keyId: r.wrap_key_id, wrapped: Buffer.from(r.wrapped_data_key).toString("hex") }]),
  );
}

async function fieldCiphertexts(): Promise<Map<string, string>> {
  const rows = await query<{ user_id: string; field: string; ciphertext: Uint8Array }>(
    app,
    `SELECT user_id, field, ciphertext FROM user_fields`,
  );
  return new Map(rows.map((r) => [`${r.user_id}/${r.field}`, Buffer.from(r.ciphertext).toString("hex")]));
}

function keyIds(state: Map<string, { keyId: string }>): string[] {
  return [...state.values()].map((s) => s.keyId);
}

function rotate(...args: string[]) {
  const r = spawnSync("npm", ["run", "-s", "keys:rotate", "--", ...args], { env: app.env, encoding: "utf8" });
  const output = `${r.stdout}\n${r.stderr}`;
  // Counts only: no user id and no personal value, whatever happened.
  for (const p of people) {
    expect(output).not.toContain(p.id);
    for (const v of p.plaintext) expect(output).not.toContain(v);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function restart(env: Record<string, string>) {
  await app.stop();
  app = await startApp({ label: "rotation", db: app.db, secrets: { ...secrets, ...env } });
}

beforeAll(async () => {
  app = await startApp({ label: "rotation", secrets });
  for (let n = 0; n < 7; n++) people.push(await signUp(app, n));
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
});

describe("rotating the master key", () => {
  let ciphertextBefore: Map<string, string>;
  let afterPartial: Map<string, { keyId: string; wrapped: string }>;

  it("starts with every data key wrapped under key A", async () => {
    expect(keyIds(await wrapState())).toEqual(Array(7).fill(ID_A));
    ciphertextBefore = await fieldCiphertexts();
    expect(ciphertextBefore.size).toBe(7 * 5);
  });

  it("with B current and A previous, old users stay readable and new users get B", async () => {
    await restart({ FIELD_ENCRYPTION_KEY: KEY_B, FIELD_ENCRYPTION_KEY_PREVIOUS: KEY_A });
    await expectAllReadable();
    // Reading never re-wraps: that is the command's job, in bounded batches.
    expect(keyIds(await wrapState())).toEqual(Array(7).fill(ID_A));
    const newcomer = await signUp(app, 7);
    people.push(newcomer);
    expect((await wrapState()).get(newcomer.id)!.keyId).toBe(ID_B);
  });

  it("a partial run re-wraps the first batch only, and everyone stays readable meanwhile", async () => {
    const before = await wrapState();
    const r = rotate("--batch-size=2", "--max-batches=1");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("8 users: 1 already on the current master key, 7 to re-wrap");
    expect(r.stdout).toMatch(/re-wrapped 2 data keys in 1 batches/);
    expect(r.stdout).toContain("stopped: 5 still to re-wrap");
    afterPartial = await wrapState();
    const onA = [...before].filter(([, s]) => s.keyId === ID_A).map(([id]) => id);
    // Batches go in id order: exactly the two lowest ids that were on A moved to B, with new wrapped bytes.
    for (const [i, id] of onA.entries()) {
      expect(afterPartial.get(id)!.keyId, `user #${i} on A before`).toBe(i < 2 ? ID_B : ID_A);
      if (i < 2) expect(afterPartial.get(id)!.wrapped).not.toBe(before.get(id)!.wrapped);
      else expect(afterPartial.get(id)!.wrapped).toBe(before.get(id)!.wrapped);
    }
    await expectAllReadable();
  });

  it("reports keys it cannot re-wrap, carries on with the rest, and resumes without wrapping twice", async () => {
    const stillOnA = [...afterPartial].filter(([, s]) => s.keyId === ID_A).map(([id]) => id);
    const [unknown, damaged] = stillOnA as [string, string];
    const damagedOriginal = Buffer.from(afterPartial.get(damaged)!.wrapped, "hex");
    await execute(app, `UPDATE users SET wrap_key_id = $1 WHERE id = $2`, ["0123456789ab", unknown]);
    await execute(app, `UPDATE users SET wrapped_data_key = $1 WHERE id = $2`, [
      randomBytes(damagedOriginal.length),
      damaged,
    ]);

    const r = rotate("--batch-size=2");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/re-wrapped 3 data keys in 2 batches/);
    expect(r.stderr).toContain("ERROR: 1 wrapped data keys failed authentication");
    expect(r.stderr).toContain("ERROR: 1 data keys are wrapped under a master key that is not configured");
    const state = await wrapState();
    expect(state.get(unknown)!.keyId).toBe("0123456789ab");
    expect(state.get(damaged)!.keyId).toBe(ID_A);
    for (const [id, s] of state) {
      if (id === unknown || id === damaged) continue;
      expect(s.keyId).toBe(ID_B);
      // Keys already on B (the newcomer, the first partial batch) were not touched again.
      if (afterPartial.get(id)!.keyId === ID_B) expect(s.wrapped).toBe(afterPartial.get(id)!.wrapped);
    }

    // The operator puts the missing key back and restores the damaged row from a backup; a rerun
    // picks up exactly those two.
    await execute(app, `UPDATE users SET wrap_key_id = $1 WHERE id = $2`, [ID_A, unknown]);
    await execute(app, `UPDATE users SET wrapped_data_key = $1 WHERE id = $2`, [damagedOriginal, damaged]);
    const rerun = rotate();
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain("8 users: 6 already on the current master key, 2 to re-wrap");
    expect(rerun.stdout).toMatch(/re-wrapped 2 data keys in 1 batches/);
    expect(rerun.stdout).toContain("rotation complete: all 8 users on the current master key");
    const done = await wrapState();
    expect(keyIds(done)).toEqual(Array(8).fill(ID_B));

    // Nothing left to do: a further run changes no byte.
    const again = rotate();
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/re-wrapped 0 data keys in 0 batches/);
    expect(await wrapState()).toEqual(done);
  });

  it("never re-encrypts field ciphertext (envelope encryption)", async () => {
    const after = await fieldCiphertexts();
    for (const [k, v] of ciphertextBefore) expect(after.get(k), k).toBe(v);
  });

  it("with only key B configured, every user is still readable", async () => {
    await restart({ FIELD_ENCRYPTION_KEY: KEY_B });
    expect(app.env.FIELD_ENCRYPTION_KEY_PREVIOUS).toBeUndefined();
    await expectAllReadable();
  });
});

describe("a destroyed data key", () => {
  it("makes the user's fields unreadable, and nothing of them leaks in the answer or the log", async () => {
    const victim = people[3]!;
    const [{ wrapped_data_key }] = (await query<{ wrapped_data_key: Uint8Array }>(
      app,
      `SELECT wrapped_data_key FROM users WHERE id = $1`,
      [victim.id],
    )) as [{ wrapped_data_key: Uint8Array }];
    await execute(app, `UPDATE users SET wrapped_data_key = $1 WHERE id = $2`, [
      randomBytes(wrapped_data_key.length),
      victim.id,
    ]);
    const { status, text } = await meAs(victim);
    // The owner's page still works: every stored field is listed, each as unreadable (null).
    expect(status).toBe(200);
    for (const v of victim.plaintext) expect(text).not.toContain(v);
    expect(text).not.toMatch(/DecryptError|authentication|at \/|node_modules/);
    const me = JSON.parse(text) as { purposes: Record<string, { fields: Record<string, string | null> }> };
    const values = Object.values(me.purposes).flatMap((p) => Object.values(p.fields));
    expect(values.length).toBeGreaterThan(0);
    expect(values.every((v) => v === null)).toBe(true);
    const logged = readFileSync(app.logFile, "utf8");
    for (const v of victim.plaintext) expect(logged).not.toContain(v);
    // Everyone else is unaffected.
    for (const p of people) {
      if (p === victim) continue;
      expect((await meAs(p)).status).toBe(200);
    }
  });
});
