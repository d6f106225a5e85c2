import "server-only";
// Per-user serialisation of the transactions that read a user's consents or fields and then write.
import type { Tx } from "../db";

/**
 * On PostgreSQL (READ COMMITTED) two such transactions for one user both read the old state and both
 * act on it: counters drift, a value is written after the consent covering it was withdrawn, two
 * erasures collide (P2025, a 500). The no-op UPDATE takes the user's row lock there (the other
 * transaction waits, then reads the new state) and the write lock on SQLite. Found by the crash
 * test of the security suite.
 */
export async function lockUser(tx: Tx, userId: string): Promise<void> {
  await tx.user.updateMany({ where: { id: userId }, data: { sessionVersion: { increment: 0 } } });
}
