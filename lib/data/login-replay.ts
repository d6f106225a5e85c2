import "server-only";
// Single use of Login Widget payloads, enforced by a primary key in the database so it holds across
// every app instance sharing it. Entries live as long as a payload could still be fresh.
import { db } from "../db";
import { env } from "../env";

function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && "code" in e && (e as { code: unknown }).code === "P2002";
}

/** True when this call is the first to present the payload; false for a replay. */
export async function claimLoginPayload(replayKey: string, authDate: number, now = new Date()): Promise<boolean> {
  const client = await db();
  const { authMaxAgeSeconds, authFutureSkewSeconds } = env();
  // Kept until the payload is stale even for a clock at the far edge of the skew.
  const expiresAt = new Date((authDate + authMaxAgeSeconds + authFutureSkewSeconds + 60) * 1000);
  try {
    await client.usedLoginPayload.create({ data: { digest: replayKey, expiresAt } });
  } catch (e) {
    if (isUniqueViolation(e)) return false;
    throw e;
  }
  // Pruning rides along with sign-ins: one indexed range delete, no separate job needed.
  await client.usedLoginPayload.deleteMany({ where: { expiresAt: { lt: now } } });
  return true;
}
