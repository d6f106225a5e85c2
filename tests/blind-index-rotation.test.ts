// Blind-index key rotation (issue 13, item 9) through the running app and `npm run keys:rotate --
// --blind-index`: with the new key current and the old one previous, every person signs in to
// their own account before, during and after the rotation (never a second account); a run killed
// with SIGKILL loses only its open batch; a rerun finishes; afterwards no index under the old key
// is left and the old key is no longer needed.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { blindIndex } from "../lib/crypto/fields";
import { keyIdOf } from "../lib/core/env";
import { startTestBotApi, type TestBotApi } from "./support/bot-api";
import { Client, EVERYTHING } from "./support/client";
import { query } from "./support/inspect";
import { TEST_BOT_TOKEN, testSecrets } from "./support/secrets";
import { startApp, type TestApp } from "./support/server";

const OLD = randomBytes(32).toString("base64");
const NEW = randomBytes(32).toString("base64");
const NEW_ID = keyIdOf(Buffer.from(NEW, "base64"));
const WEBHOOK_SECRET = randomBytes(24).toString("base64url");
const secrets = { ...testSecrets(), BLIND_INDEX_KEY: OLD };
// Valid numbers as Telegram sends them (no "+").
const PHONES = ["4917612340001", "4917612340002"];

type Person = { telegramId: string; id: string; phone?: string };
let app: TestApp;
let botApi: TestBotApi;
const people: Person[] = [];

const index = (key: string, field: string, value: string) => blindIndex(Buffer.from(key, "base64"), field, value);

async function signIn(p: Pick<Person, "telegramId">): Promise<string> {
  const c = new Client(app.origin);
  await c.signIn({ id: p.telegramId }, EVERYTHING);
  return ((await (await c.get("/api/me")).json()) as { id: string }).id;
}

async function restart(env: Record<string, string>) {
  await app.stop();
  app = await startApp({ label: "blind-rotation", db: app.db, secrets: { ...secrets, ...env }, env: telegramEnv() });
}

const telegramEnv = () => ({
  TELEGRAM_BOT_API_BASE: botApi.base,
  TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
  PHONE_NUMBER_UNIQUE: "1",
});

async function users() {
  return query<{ id: string; telegram_id_index: string; index_key_id: string }>(
    app,
    "SELECT id, telegram_id_index, index_key_id FROM users ORDER BY id",
  );
}

function outputHasNothingPersonal(output: string) {
  for (const p of people) {
    expect(output).not.toContain(p.id);
    expect(output).not.toContain(p.telegramId);
  }
  for (const phone of PHONES) expect(output).not.toContain(phone);
}

function rotate(...args: string[]) {
  const r = spawnSync("npm", ["run", "-s", "keys:rotate", "--", "--blind-index", ...args], {
    env: app.env,
    encoding: "utf8",
  });
  outputHasNothingPersonal(`${r.stdout}\n${r.stderr}`);
  return r;
}

async function sharePhone(p: Person, phone: string) {
  const c = new Client(app.origin);
  await c.signIn({ id: p.telegramId }, EVERYTHING);
  const link = ((await (await c.request("POST", "/api/me/phone/bot-link")).json()) as { link: string }).link;
  const hook = (update: unknown) =>
    new Client(app.origin).request("POST", "/api/telegram/webhook", {
      json: update,
      origin: null,
      headers: { "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
    });
  const from = Number(p.telegramId);
  await hook({
    update_id: 1,
    message: { chat: { id: from }, from: { id: from }, text: `/start ${new URL(link).searchParams.get("start")}` },
  });
  await hook({
    update_id: 2,
    message: { chat: { id: from }, from: { id: from }, contact: { phone_number: phone, user_id: from } },
  });
  const me = (await (await c.get("/api/me")).json()) as {
    purposes: Record<string, { fields: Record<string, string> }>;
  };
  expect(me.purposes.phone_contact!.fields.phone_number).toBe(`+${phone}`);
  p.phone = phone;
}

beforeAll(async () => {
  botApi = await startTestBotApi(TEST_BOT_TOKEN);
  app = await startApp({ label: "blind-rotation", secrets, env: telegramEnv() });
  for (let n = 0; n < 7; n++) {
    const p: Person = { telegramId: String(830_000_000 + n * 7919), id: "" };
    p.id = await signIn(p);
    people.push(p);
  }
  await sharePhone(people[0]!, PHONES[0]!);
  await sharePhone(people[6]!, PHONES[1]!);
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
  await botApi?.close();
});

/** Every person signs in to their own account; the number of accounts does not change. */
async function everyoneSignsInToTheirOwnAccount() {
  for (const p of people) expect(await signIn(p), p.telegramId).toBe(p.id);
  expect((await users()).length).toBe(people.length);
}

/**
 * Starts a run and kills it with SIGKILL while it works. PostgreSQL: a row lock on the first user
 * still to do holds the run's first batch open (it has begun writing), and it is killed there.
 * SQLite: the database's write lock is taken once the run has started (after its start-up
 * migration check, which needs the same lock), and the run is killed while it waits for it; how
 * many batches it committed before is up to the scheduler, which the caller's checks allow for.
 */
async function killedRun(firstPending: string) {
  const holder = app.db.kind === "postgres" ? new pg.Client({ connectionString: app.db.url }) : null;
  const watcher = app.db.kind === "postgres" ? new pg.Client({ connectionString: app.db.url }) : null;
  if (holder && watcher) {
    await holder.connect();
    await watcher.connect();
    await holder.query("BEGIN");
    await holder.query("SELECT id FROM users WHERE id = $1 FOR UPDATE", [firstPending]);
  }
  const child = spawn("npm", ["run", "-s", "keys:rotate", "--", "--blind-index", "--batch-size=1"], {
    env: app.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += String(d)));
  child.stderr!.on("data", (d) => (out += String(d)));
  const exited = new Promise((r) => child.once("exit", r));
  const until = async (what: string, ready: () => Promise<boolean>) => {
    for (let i = 0; !(await ready()); i++) {
      if (i > 1200) throw new Error(`${what}: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* already gone */
    }
  };
  try {
    if (holder && watcher) {
      await until(
        "the rotation never reached the lock",
        async () =>
          (
            await watcher.query(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
          ).rows[0].n >= 1,
      );
      kill();
      await exited;
      await holder.query("ROLLBACK");
    } else {
      await until("the rotation did not start", async () => /to re-index/.test(out));
      const db = new Database(app.db.sqliteFile!);
      db.pragma("busy_timeout = 10000");
      db.exec("BEGIN IMMEDIATE");
      kill();
      await exited;
      db.exec("ROLLBACK");
      db.close();
    }
  } finally {
    kill();
    await holder?.end();
    await watcher?.end();
  }
  outputHasNothingPersonal(out);
}

/** Each user is either wholly re-indexed under the new key or wholly still under the old one. */
async function noUserHalfDone() {
  const fields = await query<{ user_id: string; field: string; blind_index: string }>(
    app,
    "SELECT user_id, field, blind_index FROM user_fields WHERE blind_index IS NOT NULL",
  );
  for (const u of await users()) {
    const p = people.find((x) => x.id === u.id)!;
    const key = u.index_key_id === NEW_ID ? NEW : OLD;
    expect(u.telegram_id_index).toBe(index(key, "telegram_id", p.telegramId));
    for (const f of fields.filter((x) => x.user_id === u.id)) {
      // A sign-in rewrites its telegram_id field under the current key; the user row follows at re-indexing.
      if (key === OLD && f.field === "telegram_id")
        expect([index(OLD, "telegram_id", p.telegramId), index(NEW, "telegram_id", p.telegramId)]).toContain(
          f.blind_index,
        );
      else expect(f.blind_index).toBe(index(key, f.field, f.field === "telegram_id" ? p.telegramId : `+${p.phone}`));
    }
  }
}

it("rotates the blind-index key: resumable after SIGKILL, and nobody is locked out or duplicated meanwhile", async () => {
  expect((await users()).map((u) => u.telegram_id_index).sort()).toEqual(
    people.map((p) => index(OLD, "telegram_id", p.telegramId)).sort(),
  );

  // The new key current, the old one previous: every lookup accepts both, before any re-indexing.
  await restart({ BLIND_INDEX_KEY: NEW, BLIND_INDEX_KEY_PREVIOUS: OLD });
  await everyoneSignsInToTheirOwnAccount();

  // A first run re-indexes one batch (two users, in id order) and stops.
  const partial = rotate("--batch-size=2", "--max-batches=1");
  expect(partial.status).toBe(0);
  expect(partial.stdout).toContain(
    `${people.length} users: 0 already indexed under the current blind-index key, ${people.length} to re-index`,
  );
  expect(partial.stdout).toMatch(/re-indexed 2 users in 1 batches/);
  const afterPartial = await users();
  expect(afterPartial.filter((u) => u.index_key_id === NEW_ID)).toHaveLength(2);

  // Mid-rotation: an already re-indexed person and one not yet re-indexed both sign in to their own account.
  const rotated = people.find((p) => afterPartial.find((u) => u.id === p.id)!.index_key_id === NEW_ID)!;
  const pending = people.find((p) => afterPartial.find((u) => u.id === p.id)!.index_key_id !== NEW_ID)!;
  expect(afterPartial.find((u) => u.id === rotated.id)!.telegram_id_index).toBe(
    index(NEW, "telegram_id", rotated.telegramId),
  );
  expect(afterPartial.find((u) => u.id === pending.id)!.telegram_id_index).toBe(
    index(OLD, "telegram_id", pending.telegramId),
  );
  expect(await signIn(rotated)).toBe(rotated.id);
  expect(await signIn(pending)).toBe(pending.id);
  expect((await users()).length).toBe(people.length);
  await noUserHalfDone();

  // A second run is killed with SIGKILL while it works: no user is left half re-indexed.
  await killedRun(afterPartial.find((u) => u.index_key_id !== NEW_ID)!.id);
  const afterKill = await users();
  // On PostgreSQL it was held in its first batch, which rolled back.
  if (app.db.kind === "postgres") expect(afterKill).toEqual(afterPartial);
  await noUserHalfDone();
  await everyoneSignsInToTheirOwnAccount();

  // The rerun finishes what is left.
  const rest = rotate("--batch-size=2");
  expect(rest.status).toBe(0);
  expect(rest.stdout).toContain(`blind-index rotation complete: all ${people.length} users`);
  const done = await users();
  for (const p of people) {
    const u = done.find((x) => x.id === p.id)!;
    expect(u.index_key_id).toBe(NEW_ID);
    expect(u.telegram_id_index).toBe(index(NEW, "telegram_id", p.telegramId));
  }
  const fields = await query<{
    user_id: string;
    field: string;
    blind_index: string | null;
    unique_index: string | null;
  }>(app, "SELECT user_id, field, blind_index, unique_index FROM user_fields WHERE blind_index IS NOT NULL");
  expect(fields).toHaveLength(people.length + 2);
  for (const f of fields) {
    const p = people.find((x) => x.id === f.user_id)!;
    const value = f.field === "telegram_id" ? p.telegramId : `+${p.phone}`;
    expect(f.blind_index, `${f.field}`).toBe(index(NEW, f.field, value));
    if (f.field === "phone_number") expect(f.unique_index).toBe(f.blind_index);
  }
  // Nothing anywhere still carries an index under the old key.
  const oldIndexes = [
    ...people.map((p) => index(OLD, "telegram_id", p.telegramId)),
    ...PHONES.map((n) => index(OLD, "phone_number", `+${n}`)),
  ];
  const all = JSON.stringify([done, fields]);
  for (const o of oldIndexes) expect(all).not.toContain(o);

  // The old key retired: everyone still signs in to their own account.
  await restart({ BLIND_INDEX_KEY: NEW });
  await everyoneSignsInToTheirOwnAccount();
});
