import "server-only";
// Lock order for write transactions, the same everywhere so they queue instead of deadlocking:
//   1. the ledger head (consent changes, account creation, erasure, purge's account batches and
//      logout everywhere take it),
//   2. the user row.
// Taking a lock with a write first also matters on SQLite: a transaction that reads before it
// writes fails with SQLITE_BUSY, instead of waiting, when another process (a cron purge) commits in
// between.
//
// withUserWriteLock is the way to write a user's consents or field values, or to delete the user:
// lib/data/locks.test.ts fails on a writer that goes around it, except the few it lists with the
// reason each is safe (the sign-in itself and the statement it shares with vault.ts, the retention
// purge of values, seeding). It writes the user row first, and that is what makes the sign-in's
// optimistic path on PostgreSQL safe (lib/data/sign-in/direct.ts): the sign-in reads the consents
// with the user row's version (PostgreSQL's xmin, which any UPDATE moves, even one that changes no
// column; not the session version) and writes only if that version did not move, so every change
// to what it read must move it. The
// sign-in itself takes the same row lock in its own SQL (an UPDATE of the user row before any read
// or write of their fields).
import type { Tx } from "./db";

declare const LOCKED: unique symbol;

/** Proof that the user's row is locked by this transaction; only withUserWriteLock makes one. */
export type LockedUser = { readonly tx: Tx; readonly userId: string; readonly [LOCKED]: true };

export async function lockLedger(tx: Tx): Promise<void> {
  await tx.ledgerHead.update({ where: { id: 1 }, data: { seq: { increment: 0 } } });
}

/**
 * Locks the user's row for the rest of the transaction (an UPDATE that changes nothing, which still
 * moves its row version),
 * then runs `write` with the proof; null, without running it, when the user no longer exists.
 */
export async function withUserWriteLock<T>(
  tx: Tx,
  userId: string,
  write: (user: LockedUser) => Promise<T>,
): Promise<T | null> {
  const { count } = await tx.user.updateMany({ where: { id: userId }, data: { sessionVersion: { increment: 0 } } });
  if (count !== 1) return null;
  return write({ tx, userId } as LockedUser);
}
