import "server-only";
// Single use of Login Widget payloads, enforced by a primary key in the database so it holds across
// every app instance sharing it. Entries live as long as a payload could still be fresh.
import { db, type Tx } from "../db";
import { env } from "../env";

export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && "code" in e && (e as { code: unknown }).code === "P2002";
}

function expiryOf(authDate: number): Date {
  const { authMaxAgeSeconds, authFutureSkewSeconds } = env();
  // Kept until the payload is stale even for a clock at the far edge of the skew.
  return new Date((authDate + authMaxAgeSeconds + authFutureSkewSeconds + 60) * 1000);
}

/** Inside a sign-in transaction: throws a unique violation (P2002) for a replay. */
export async function claimLoginPayloadIn(tx: Tx, replayKey: string, authDate: number): Promise<void> {
  await tx.usedLoginPayload.create({ data: { digest: replayKey, expiresAt: expiryOf(authDate) } });
}

let lastPrune = 0;

/**
 * Deletes expired single-use entries and session rows, at most once a minute per process: pruning
 * on every sign-in cost two extra writes on the hot path for rows nobody reads once expired.
 */
export async function pruneExpiredLoginState(now = new Date()): Promise<void> {
  if (now.getTime() - lastPrune < 60_000) return;
  lastPrune = now.getTime();
  const client = await db();
  await client.usedLoginPayload.deleteMany({ where: { expiresAt: { lt: now } } });
  await client.session.deleteMany({ where: { expiresAt: { lt: now } } });
}
