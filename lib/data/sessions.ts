import "server-only";
// The session registry: one row per signed-in browser. lib/web/session.ts reads and deletes rows through
// this module; rows are created here or, for a sign-in, by the sign-in's own statement
// (lib/data/sign-in/direct.ts runs sessionInsertSql on the driver).
import { randomBytes } from "node:crypto";
import { db, type Db, type Tx } from "./db";
import { pruneExpiredLoginState } from "./login-replay";
import { executeSql, sqlTime, timeParam } from "./sql";

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
  const client = await db();
  const row = await client.session.findUnique({
    where: { id: sessionId },
    select: {
      expiresAt: true,
      user: {
        select: {
          id: true,
          sessionVersion: true,
          telegramIdIndex: true,
          wrappedDataKey: true,
          wrapKeyId: true,
          createdAt: true,
          lastSignInAt: true,
        },
      },
    },
  });
  // Prisma reads the session and its user in two statements: an erasure committing between them
  // leaves a session without its user (tests/security/races.test.ts), which is a signed-out caller.
  const user = row?.user as SessionUser | null | undefined;
  if (!row || !user || row.expiresAt < new Date() || user.id !== userId || user.sessionVersion !== sessionVersion)
    return null;
  return user;
}

export async function deleteSessionRow(sessionId: string): Promise<void> {
  const client = await db();
  await client.session.deleteMany({ where: { id: sessionId } });
}
