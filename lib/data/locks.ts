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
//
// The proof carries its user: the writes to a user's own rows (consent states, field values,
// purpose outcomes, lookup indexes, the row itself) are its methods, each bound to the user whose
// row it locked, so code holding user A's lock has no way to write user B through it. `tx` stays on
// the proof for reads and for the tables that are not one user's rows (ledger, counters, audit);
// lib/data/locks.test.ts reads the syntax tree and fails on a write to the user's own rows anywhere
// but here, except the few it lists with the reason each is safe.
import type { Tx } from "./db";
import { fieldUpsertStatement, type FieldUpsert } from "./field-statement";
import { queryRows } from "./sql";

declare const LOCKED: unique symbol;

export type ConsentStateWrite = { granted: boolean; purposeVersion: string; locale: string; decidedAt: Date };

/** Proof that the user's row is locked by this transaction; only withUserWriteLock makes one. */
export type LockedUser = {
  readonly tx: Tx;
  readonly userId: string;
  readonly [LOCKED]: true;
  /** Sets this user's decision on one purpose. */
  setConsent(purposeId: string, state: ConsentStateWrite): Promise<void>;
  /** Records when a one-time purpose last happened for this user. */
  recordOutcome(purposeId: string, at: Date): Promise<void>;
  /** Forgets the outcomes of these purposes for this user. */
  deleteOutcomes(purposeIds: readonly string[]): Promise<void>;
  /** Stores planned values (encrypted by lib/data/vault.ts); returns each field and whether its row is new. */
  upsertFields(upserts: readonly FieldUpsert[], now: Date): Promise<{ field: string; created: boolean }[]>;
  /** Deletes these fields' values; returns how many rows went. */
  deleteFields(fields: readonly string[]): Promise<number>;
  /** Sets one stored field's blind index and, when given, its uniqueness index (null clears it). */
  setFieldIndexes(field: string, indexes: { blindIndex?: string | null; uniqueIndex?: string | null }): Promise<void>;
  /** Sets the user row's Telegram id index and the key it was made with (a blind-index rotation). */
  setUserIndex(telegramIdIndex: string, indexKeyId: string): Promise<void>;
  /** Deletes the user row; the database's cascades take every row that hangs off it. */
  deleteUser(): Promise<void>;
};

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
  return write(proofFor(tx, userId));
}

function proofFor(tx: Tx, userId: string): LockedUser {
  const proof = {
    tx,
    userId,
    async setConsent(purposeId: string, state: ConsentStateWrite) {
      await tx.consentState.upsert({
        where: { userId_purposeId: { userId, purposeId } },
        create: { userId, purposeId, ...state },
        update: state,
      });
    },
    async recordOutcome(purposeId: string, at: Date) {
      await tx.purposeOutcome.upsert({
        where: { userId_purposeId: { userId, purposeId } },
        create: { userId, purposeId, at },
        update: { at },
      });
    },
    async deleteOutcomes(purposeIds: readonly string[]) {
      if (purposeIds.length)
        await tx.purposeOutcome.deleteMany({ where: { userId, purposeId: { in: [...purposeIds] } } });
    },
    async upsertFields(upserts: readonly FieldUpsert[], now: Date) {
      if (upserts.length === 0) return [];
      const statement = fieldUpsertStatement(userId, upserts, now);
      const rows = await queryRows<{ field: string; created: unknown }>(tx, statement.sql, statement.params);
      return rows.map((r) => ({ field: r.field, created: Number(r.created) === 1 }));
    },
    async deleteFields(fields: readonly string[]) {
      if (fields.length === 0) return 0;
      const { count } = await tx.userField.deleteMany({ where: { userId, field: { in: [...fields] } } });
      return count;
    },
    async setFieldIndexes(field: string, indexes: { blindIndex?: string | null; uniqueIndex?: string | null }) {
      await tx.userField.update({ where: { userId_field: { userId, field } }, data: indexes });
    },
    async setUserIndex(telegramIdIndex: string, indexKeyId: string) {
      await tx.user.update({ where: { id: userId }, data: { telegramIdIndex, indexKeyId } });
    },
    async deleteUser() {
      await tx.user.delete({ where: { id: userId } });
    },
  };
  return proof as LockedUser;
}
