import "server-only";
// The session registry: one row per signed-in browser. lib/web/session.ts reads and deletes rows through
// this module; rows are created here or, for a sign-in, by the sign-in's own statement
// (lib/data/sign-in/direct.ts runs sessionInsertSql on the driver).
import { randomBytes } from "node:crypto";
import { db, type Db, type Tx } from "./db";
import { pruneExpiredLoginState } from "./login-replay";
import { executeSql, sqlTime, timeOf, timeParam } from "./sql";
import { readRows } from "./direct-read";

/** The signed-in user as every page and route sees it (getSession): never a decrypted field. */
export type SessionUser = {
  id: string;
  sessionVersion: number;
  telegramIdIndex: string;
  wrappedDataKey: Uint8Array;
  wrapKeyId: string;
  createdAt: Date;
  lastSignInAt: Date;
};

/** Raw SQL: it is on every sign-in's path, where Prisma's per-query cost dominated (docs/decisions/009). */
export async function createSessionRowIn(tx: Tx | Db, userId: string, expiresAt: Date): Promise<string> {
  const id = newSessionId();
  await executeSql(tx, sessionInsertSql(), [id, userId, sqlTime(expiresAt), sqlTime(new Date())]);
  return id;
}

export function newSessionId(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * The session row as SQL (`?`: id, user id, expiry, creation), also run on the driver
 * (lib/data/sign-in/direct.ts). With `onlyIf` (a CTE's name), the row is inserted only when that
 * CTE returned a row.
 */
export function sessionInsertSql(onlyIf?: string): string {
  const row = `?, ?, ${timeParam()}, ${timeParam()}`;
  return `INSERT INTO "sessions" ("id", "user_id", "expires_at", "created_at") ${onlyIf ? `SELECT ${row} FROM "${onlyIf}"` : `VALUES (${row})`}`;
}

export async function createSessionRow(userId: string, expiresAt: Date): Promise<string> {
  const id = await createSessionRowIn(await db(), userId, expiresAt);
  await pruneExpiredLoginState();
  return id;
}

/** The user of a live session row, if the cookie's user id and session version still match. */
export async function findSessionUser(
  sessionId: string,
  userId: string,
  sessionVersion: number,
): Promise<SessionUser | null> {
  // One statement on the driver (direct-read.ts): every signed-in page and action starts here, and
  // Prisma read the session and then its user in two statements at its per-query cost (issue 26).
  // One statement also reads both in one snapshot: an erasure committing meanwhile leaves no row,
  // a signed-out caller (tests/security/races.test.ts).
  const [row] = await readRows<{
    expires_at: unknown;
    id: string;
    session_version: unknown;
    telegram_id_index: string;
    wrapped_data_key: Uint8Array;
    wrap_key_id: string;
    created_at: unknown;
    last_sign_in_at: unknown;
  }>(
    `SELECT "s"."expires_at", "u"."id", "u"."session_version", "u"."telegram_id_index", "u"."wrapped_data_key", "u"."wrap_key_id", "u"."created_at", "u"."last_sign_in_at" FROM "sessions" AS "s" JOIN "users" AS "u" ON "u"."id" = "s"."user_id" WHERE "s"."id" = ?`,
    [sessionId],
  );
  if (!row) return null;
  const user: SessionUser = {
    id: row.id,
    sessionVersion: Number(row.session_version),
    telegramIdIndex: row.telegram_id_index,
    wrappedDataKey: row.wrapped_data_key,
    wrapKeyId: row.wrap_key_id,
    createdAt: timeOf(row.created_at),
    lastSignInAt: timeOf(row.last_sign_in_at),
  };
  if (timeOf(row.expires_at) < new Date() || user.id !== userId || user.sessionVersion !== sessionVersion) return null;
  return user;
}

export async function deleteSessionRow(sessionId: string): Promise<void> {
  const client = await db();
  await client.session.deleteMany({ where: { id: sessionId } });
}
