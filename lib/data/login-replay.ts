import "server-only";
// Single use of Login Widget payloads, enforced by a primary key in the database so it holds across
// every app instance sharing it. Entries live as long as a payload could still be fresh. Also the
// pruning of every short-lived sign-in row (used payloads, sessions, pending sign-ins).
import { db } from "../db";
import { env } from "../env";
import { timeParam } from "./sql";

export function claimExpiry(authDate: number): Date {
  const { authMaxAgeSeconds, authFutureSkewSeconds } = env();
  // Kept until the payload is stale even for a clock at the far edge of the skew.
  return new Date((authDate + authMaxAgeSeconds + authFutureSkewSeconds + 60) * 1000);
}

/**
 * The claim of a payload, in the sign-in's first statement (lib/data/sign-in/direct.ts). The primary
 * key decides: a racing copy's insert waits for the first one's commit and then inserts nothing (or,
 * if the first rolled back, claims it). `?` placeholders: digest, expiry (claimExpiry). With
 * `unless` (a CTE's name, PostgreSQL), nothing is claimed when that CTE returned a row: the
 * account's used-up sign-in budget, which leaves the payload unused.
 */
export function claimSql(unless?: string): string {
  const row = unless
    ? `SELECT CAST(? AS TEXT), ${timeParam()} WHERE NOT EXISTS (SELECT 1 FROM "${unless}")`
    : `VALUES (?, ${timeParam()})`;
  return `INSERT INTO "used_login_payloads" ("digest", "expires_at") ${row} ON CONFLICT ("digest") DO NOTHING`;
}

let lastPrune = 0;

/**
 * Deletes expired single-use entries, session rows and pending sign-ins, at most once a minute per
 * process: pruning on every sign-in cost extra writes on the hot path for rows nobody reads once
 * expired.
 */
export async function pruneExpiredLoginState(now = new Date()): Promise<void> {
  if (now.getTime() - lastPrune < 60_000) return;
  lastPrune = now.getTime();
  const client = await db();
  await client.usedLoginPayload.deleteMany({ where: { expiresAt: { lt: now } } });
  await client.session.deleteMany({ where: { expiresAt: { lt: now } } });
  await client.pendingSignIn.deleteMany({ where: { expiresAt: { lt: now } } });
}

/**
 * Single use of a Mini App contact (Telegram.WebApp.requestContact's signed answer), in the same
 * table as sign-in payloads: its digest is prefixed apart from theirs (lib/telegram/webapp.ts).
 * True when this call claimed it; false when it was used before.
 */
export async function claimContact(replayKey: string, authDate: number): Promise<boolean> {
  const client = await db();
  const digest = `contact:${replayKey}`;
  try {
    await client.usedLoginPayload.create({ data: { digest, expiresAt: claimExpiry(authDate) } });
    return true;
  } catch (e) {
    // P2002: the primary key already holds it (a racing copy waits for the first one's commit).
    if ((e as { code?: string }).code === "P2002") return false;
    throw e;
  }
}
