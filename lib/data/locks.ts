import "server-only";
// Lock order for write transactions, the same everywhere so they queue instead of deadlocking:
//   1. the ledger head (every consent change, erasure and purge batch appends to the ledger),
//   2. the user row.
// Sign-in takes only the user row, and takes it before reading the user (an erasure could delete
// the row between a read and a later write). Taking a lock with a write first also matters on SQLite: a
// transaction that reads before it writes fails with SQLITE_BUSY, instead of waiting, when another
// process (a cron purge) commits in between.
import type { Tx } from "../db";

export async function lockLedger(tx: Tx): Promise<void> {
  await tx.ledgerHead.update({ where: { id: 1 }, data: { seq: { increment: 0 } } });
}

/** Locks the user's row for the rest of the transaction; false when the user no longer exists. */
export async function lockUser(tx: Tx, userId: string): Promise<boolean> {
  const { count } = await tx.user.updateMany({ where: { id: userId }, data: { sessionVersion: { increment: 0 } } });
  return count === 1;
}
