// On PostgreSQL a returning user's sign-in reads (claim, user, row version, consents) in one
// statement and writes in a second one that does nothing unless the user's row is unchanged; if it
// changed, the sign-in runs again as one locked transaction (lib/data/sign-in/direct.ts). These tests
// put a consent withdrawal, an erasure and another sign-in of the same person between the two
// statements, through the running app, and check what is on disk afterwards. Without the row
// version check the first would store the withdrawn name again and the second would fail on a
// deleted user.
//
// On SQLite the sign-in is one synchronous transaction on the connection every writer of the process
// shares (lib/data/group-commit.ts), so nothing can run between its statements: there the change
// runs just before the sign-in, and the same outcomes on disk are required.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, EVERYTHING, signedPayload, type Profile } from "./support/client";
import { counterMismatches, storedState } from "./support/consistency";
import { testDbKind } from "./support/databases";
import { countRows, query } from "./support/inspect";
import { startAppForThisProcess, stopAppForThisProcess, type TestApp } from "./support/server";

type Direct = typeof import("../lib/data/sign-in/direct");
type Users = typeof import("../lib/data/users");
type Vault = typeof import("../lib/data/vault");
type GroupCommit = typeof import("../lib/data/group-commit");

const onPostgres = testDbKind() === "postgres";
let app: TestApp;
let pool: pg.Pool;
let direct: Direct;
let users: Users;
let vault: Vault;
let groupCommit: GroupCommit;
let nextId = 815_000_000;

beforeAll(async () => {
  app = await startAppForThisProcess({ label: "signinrace" });
  direct = await import("../lib/data/sign-in/direct");
  users = await import("../lib/data/users");
  vault = await import("../lib/data/vault");
  groupCommit = await import("../lib/data/group-commit");
  if (onPostgres) pool = new pg.Pool({ connectionString: app.db.url, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await stopAppForThisProcess(app);
});

/** A person with every purpose granted, signed in through the app; their user id. */
async function person(): Promise<{ profile: Profile; client: Client; userId: string }> {
  const profile = {
    id: String((nextId += 1)),
    first_name: "Wanda",
    last_name: "Between",
    username: `wb_${nextId}`,
    photo_url: `https://t.me/i/userpic/320/wb${nextId}.jpg`,
  };
  const client = new Client(app.origin);
  await client.signIn(profile, EVERYTHING);
  const userId = ((await (await client.get("/api/me")).json()) as { id: string }).id;
  return { profile, client, userId };
}

/** The sign-in of `profile` with `between` run after its read and before its write (SQLite: before it). */
async function signInWith(profile: Profile, between: () => Promise<void>) {
  const telegramProfile = {
    telegramId: BigInt(profile.id),
    first_name: "Renamed",
    last_name: profile.last_name,
    username: profile.username,
    photo_url: profile.photo_url,
  };
  const replayKey = randomBytes(32).toString("base64url");
  // What the database held when `between` started: on PostgreSQL the read has claimed the payload and
  // the write has not opened the session yet; on SQLite neither has happened.
  let atChange: { claims: number; sessions: number } | null = null;
  const req = {
    indexes: vault.telegramIdIndexes(telegramProfile.telegramId),
    values: users.profileValues(telegramProfile),
    claim: { replayKey, expiresAt: new Date(Date.now() + 86_400_000) },
    sessionExpiresAt: new Date(Date.now() + 3_600_000),
  };
  const betweenReadAndWrite = async () => {
    const [user] = await query<{ id: string }>(app, `SELECT id FROM users WHERE telegram_id_index = $1`, [
      req.indexes[0],
    ]);
    atChange = {
      claims: await countRows(app, "used_login_payloads", "digest = $1", [replayKey]),
      sessions: user ? await countRows(app, "sessions", "user_id = $1", [user.id]) : 0,
    };
    await between();
  };
  let outcome;
  if (onPostgres) outcome = await direct.signInOnPostgres(pool, req, { betweenReadAndWrite });
  else {
    await betweenReadAndWrite();
    outcome = await groupCommit.inGroupCommit((connection) => direct.signInOnSqlite(connection, req));
  }
  const claims = await countRows(app, "used_login_payloads", "digest = $1", [replayKey]);
  return { outcome, atChange: atChange as { claims: number; sessions: number } | null, claims };
}

const firstName = async (userId: string) =>
  (
    await query<{ n: number | string }>(
      app,
      `SELECT COUNT(*) AS n FROM user_fields WHERE user_id = $1 AND field = 'first_name'`,
      [userId],
    )
  )[0]!.n;

describe("a sign-in with a consent change, an erasure or another sign-in between its read and its write", () => {
  it("with nothing in between, writes what it read: new values, a session, the payload used once", async () => {
    const { profile, userId } = await person();
    const before = await query<{ updated_at: unknown }>(
      app,
      `SELECT updated_at FROM user_fields WHERE user_id = $1 AND field = 'first_name'`,
      [userId],
    );
    const sessionsBefore = await countRows(app, "sessions", "user_id = $1", [userId]);
    const { outcome, atChange, claims } = await signInWith(profile, async () => {});
    expect(atChange).toEqual({ claims: onPostgres ? 1 : 0, sessions: sessionsBefore });
    expect(outcome).toMatchObject({ kind: "existing", userId, sessionId: expect.any(String) });
    if (outcome.kind !== "existing") throw new Error("unreachable");
    const [session] = await query<{ user_id: string }>(app, `SELECT user_id FROM sessions WHERE id = $1`, [
      outcome.sessionId,
    ]);
    expect(session?.user_id).toBe(userId);
    const after = await query<{ updated_at: unknown }>(
      app,
      `SELECT updated_at FROM user_fields WHERE user_id = $1 AND field = 'first_name'`,
      [userId],
    );
    expect(new Date(after[0]!.updated_at as string).getTime()).toBeGreaterThan(
      new Date(before[0]!.updated_at as string).getTime(),
    );
    expect(claims).toBe(1);
    expect(await counterMismatches(app)).toEqual([]);
  });

  it("a withdrawal in between: the withdrawn fields stay erased, and the answer carries the new consents", async () => {
    const { profile, client, userId } = await person();
    expect(Number(await firstName(userId))).toBe(1);
    const { outcome, claims } = await signInWith(profile, async () => {
      const res = await client.request("PUT", "/api/me/consents", { json: { purposes: { display_name: false } } });
      expect(res.status).toBe(200);
      expect(Number(await firstName(userId))).toBe(0);
    });
    expect(outcome.kind).toBe("existing");
    if (outcome.kind !== "existing") throw new Error("unreachable");
    expect(outcome.states.find((s) => s.purposeId === "display_name")?.granted).toBe(false);
    expect((await storedState(app, userId)).fields).toEqual(["photo_url", "telegram_id", "username"]);
    expect(await countRows(app, "sessions", "id = $1", [outcome.sessionId])).toBe(1);
    expect(claims).toBe(1);
    expect(await counterMismatches(app)).toEqual([]);
  });

  it("an erasure in between: nothing is written for the erased user, and the person is new again", async () => {
    const { profile, client, userId } = await person();
    let auditsAfterErasure = -1;
    const { outcome, claims } = await signInWith(profile, async () => {
      expect((await client.request("DELETE", "/api/me")).status).toBe(200);
      auditsAfterErasure = await countRows(app, "audit_events", "subject_id = $1 AND type = 'auth.signed_in'", [
        userId,
      ]);
    });
    expect(outcome).toEqual({ kind: "new" });
    expect(await storedState(app, userId)).toEqual({ user: false, fields: [], consents: [] });
    expect(await countRows(app, "sessions", "user_id = $1", [userId])).toBe(0);
    expect(await countRows(app, "audit_events", "subject_id = $1 AND type = 'auth.signed_in'", [userId])).toBe(
      auditsAfterErasure,
    );
    expect(claims).toBe(1);
    expect(await counterMismatches(app)).toEqual([]);
  });

  it("another sign-in of the same person in between: both succeed, each with its own session", async () => {
    const { profile, userId } = await person();
    const sessionsBefore = await countRows(app, "sessions", "user_id = $1", [userId]);
    const { outcome } = await signInWith(profile, async () => {
      // A payload of its own: an auth_date other than the one person() signed in with.
      const payload = signedPayload(profile, { authDate: Math.floor(Date.now() / 1000) - 5 });
      expect((await new Client(app.origin).request("POST", "/api/auth/telegram", { json: payload })).status).toBe(200);
    });
    expect(outcome).toMatchObject({ kind: "existing", userId });
    expect(await countRows(app, "sessions", "user_id = $1", [userId])).toBe(sessionsBefore + 2);
    expect(await counterMismatches(app)).toEqual([]);
  });
});
