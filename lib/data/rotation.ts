import "server-only";
// Master-key rotation (and, at the end of this file, blind-index key rotation). Only the users'
// data keys are re-wrapped: field ciphertext is encrypted under each user's own data key, which
// does not change, so no personal value is decrypted or rewritten and the work is one small row
// per user however many fields they keep (envelope encryption, docs/decisions/003).
//
// Resumable by construction: each batch selects only rows still under a previous key and commits
// on its own, and each update is conditional on the key id it read. An interrupted run loses at most
// its open batch (rolled back by the database), a rerun picks up what is left, and a data key
// is never wrapped twice, even when two runs overlap.
import { decrypt, DecryptError, wrapDataKey } from "../crypto/fields";
import { db } from "./db";
import { env } from "../core/env";
import { FIELDS, type FieldId } from "../domain/fields";
import { withUserWriteLock, type LockedUser } from "./locks";
import { deletePendingSignInsOfOtherKeys } from "./pending-sign-ins";
import { dataKeyOf, fieldAad, lookupIndex } from "./vault";

export type KeyRotationProgress = {
  total: number;
  onCurrentKey: number;
  /** Under a master key that is not configured: unreadable until that key is added back. */
  onUnknownKey: number;
};

/** How far the move to the current master key has got. Counts only, for the CLI and the admin report. */
export async function keyRotationProgress(): Promise<KeyRotationProgress> {
  const client = await db();
  const ring = env().masterKeys;
  const [total, onCurrentKey, onUnknownKey] = await Promise.all([
    client.user.count(),
    client.user.count({ where: { wrapKeyId: ring[0]!.id } }),
    client.user.count({ where: { wrapKeyId: { notIn: ring.map((k) => k.id) } } }),
  ]);
  return { total, onCurrentKey, onUnknownKey };
}

export type RewrapOptions = {
  /** Users per transaction. */
  batchSize?: number;
  /** Stop after this many batches (a rerun continues); unlimited when absent. */
  maxBatches?: number;
  /** Asked before each batch; true stops cleanly between batches (e.g. after Ctrl+C). */
  shouldStop?: () => boolean;
  onBatch?: (result: RewrapResult) => void;
};

export type RewrapResult = {
  rewrapped: number;
  batches: number;
  /** Wrapped under a configured key but failed authentication: damaged or deliberately destroyed. */
  unreadable: number;
  /** Changed or erased by someone else between read and write; nothing to do for them. */
  skipped: number;
  /** True when every row under a previous key was visited; false when stopped early (rerun to continue). */
  complete: boolean;
};

export const DEFAULT_REWRAP_BATCH = 500;

/**
 * Re-wraps, under the current master key, every data key still wrapped under a previous key of the
 * ring. Rows under a key that is not configured are left alone (keyRotationProgress counts them).
 */
export async function rewrapDataKeys(opts: RewrapOptions = {}): Promise<RewrapResult> {
  const client = await db();
  const ring = env().masterKeys;
  const currentId = ring[0]!.id;
  const previousIds = [...new Set(ring.slice(1).map((k) => k.id))].filter((id) => id !== currentId);
  const batchSize = opts.batchSize ?? DEFAULT_REWRAP_BATCH;
  const result: RewrapResult = { rewrapped: 0, batches: 0, unreadable: 0, skipped: 0, complete: false };
  // Unreadable rows stay under their old key; the cursor keeps this run from selecting them again.
  let after = "";
  for (;;) {
    if (opts.maxBatches !== undefined && result.batches >= opts.maxBatches) break;
    if (opts.shouldStop?.()) break;
    const rows = await client.user.findMany({
      where: { id: { gt: after }, wrapKeyId: { in: previousIds } },
      select: { id: true, wrappedDataKey: true, wrapKeyId: true },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    if (rows.length === 0) {
      result.complete = true;
      break;
    }
    after = rows.at(-1)!.id;
    // The crypto runs before the transaction, and the transaction only writes: on SQLite a read
    // that later upgrades to a write fails at once (no busy wait) if the app committed in between,
    // and the write lock is held for the updates alone.
    const updates: { row: (typeof rows)[number]; wrapped: Uint8Array<ArrayBuffer>; keyId: string }[] = [];
    for (const row of rows) {
      let dataKey: Buffer;
      try {
        dataKey = dataKeyOf(row);
      } catch (e) {
        if (!(e instanceof DecryptError)) throw e;
        result.unreadable += 1;
        continue;
      }
      const { wrapped, keyId } = wrapDataKey(ring, dataKey, row.id);
      dataKey.fill(0);
      updates.push({ row, wrapped: Uint8Array.from(wrapped), keyId });
    }
    const written = await client.$transaction(
      async (tx) => {
        let count = 0;
        for (const u of updates) {
          // Compare-and-set on the key id read: a row re-wrapped or erased meanwhile (another run, an
          // erasure) is left alone, so nothing is ever wrapped twice. The id suffices because the
          // wrapped bytes change only at account creation or together with the id, here.
          const r = await tx.user.updateMany({
            where: { id: u.row.id, wrapKeyId: u.row.wrapKeyId },
            data: { wrappedDataKey: u.wrapped, wrapKeyId: u.keyId },
          });
          count += r.count;
        }
        return count;
      },
      // A batch is a few hundred single-row updates; the default 5 s can be short on a busy server.
      { maxWait: 30_000, timeout: 120_000 },
    );
    result.batches += 1;
    result.rewrapped += written;
    result.skipped += updates.length - written;
    opts.onBatch?.({ ...result });
    if (rows.length < batchSize) {
      result.complete = true;
      break;
    }
  }
  return result;
}

// Blind-index key rotation. The values behind the indexes (the Telegram id, kept as the account's
// `telegram_id` field, and the phone number) are stored encrypted under each user's data key, so
// they can be decrypted and indexed again under the new key (BLIND_INDEX_KEY) while the old one
// (BLIND_INDEX_KEY_PREVIOUS) is still accepted by every lookup (lookupIndexes in vault.ts).
// Resumable the same way as the re-wrap: users.index_key_id records the key each user was last
// indexed under; each batch takes only users not yet on the current key and commits on its own.

export type IndexRotationProgress = { total: number; onCurrentKey: number };

export async function indexRotationProgress(): Promise<IndexRotationProgress> {
  const client = await db();
  const [total, onCurrentKey] = await Promise.all([
    client.user.count(),
    client.user.count({ where: { indexKeyId: env().blindIndexKeyId } }),
  ]);
  return { total, onCurrentKey };
}

export type ReindexResult = { reindexed: number; batches: number; unreadable: number; complete: boolean };

const LOOKUP_FIELDS = (Object.keys(FIELDS) as FieldId[]).filter((f) => FIELDS[f].lookup);

/** Recomputes, under the current blind-index key, every index of every user not yet indexed under it. */
export async function reindexBlindIndexes(
  opts: Omit<RewrapOptions, "onBatch"> & { onBatch?: (r: ReindexResult) => void } = {},
): Promise<ReindexResult> {
  const client = await db();
  const currentId = env().blindIndexKeyId;
  const batchSize = opts.batchSize ?? DEFAULT_REWRAP_BATCH;
  const result: ReindexResult = { reindexed: 0, batches: 0, unreadable: 0, complete: false };
  // Pending sign-ins under the old key are refused already (pending-sign-ins.ts); their rows go first.
  await deletePendingSignInsOfOtherKeys();
  let after = "";
  for (;;) {
    if (opts.maxBatches !== undefined && result.batches >= opts.maxBatches) break;
    if (opts.shouldStop?.()) break;
    const ids = (
      await client.user.findMany({
        where: { id: { gt: after }, indexKeyId: { not: currentId } },
        select: { id: true },
        orderBy: { id: "asc" },
        take: batchSize,
      })
    ).map((u) => u.id);
    if (ids.length === 0) {
      result.complete = true;
      break;
    }
    after = ids.at(-1)!;
    const done = await client.$transaction(
      async (tx) => {
        let count = 0;
        for (const id of ids) {
          // The user's row lock first (as every writer of fields takes it), then the values read under
          // it: a sign-in or phone save cannot change them between this read and the writes below.
          const outcome = await withUserWriteLock(tx, id, (locked) => reindexUser(locked, currentId));
          if (outcome === "reindexed") count += 1;
          else if (outcome === "unreadable") result.unreadable += 1;
        }
        return count;
      },
      { maxWait: 30_000, timeout: 120_000 },
    );
    result.batches += 1;
    result.reindexed += done;
    opts.onBatch?.({ ...result });
    if (ids.length < batchSize) {
      result.complete = true;
      break;
    }
  }
  return result;
}

/** One user's indexes under the current key; "skipped" if another run already re-indexed them. */
async function reindexUser(locked: LockedUser, currentId: string): Promise<"reindexed" | "unreadable" | "skipped"> {
  const { tx, userId: id } = locked;
  const user = await tx.user.findUniqueOrThrow({
    where: { id },
    select: { id: true, wrappedDataKey: true, wrapKeyId: true, indexKeyId: true },
  });
  if (user.indexKeyId === currentId) return "skipped";
  const fields = await tx.userField.findMany({
    where: { userId: id, field: { in: LOOKUP_FIELDS } },
    select: { field: true, ciphertext: true, uniqueIndex: true },
  });
  const values = new Map<FieldId, string>();
  try {
    const dataKey = dataKeyOf(user);
    for (const f of fields)
      values.set(f.field as FieldId, decrypt(dataKey, f.ciphertext, fieldAad(id, f.field as FieldId)));
    dataKey.fill(0);
  } catch (e) {
    if (!(e instanceof DecryptError)) throw e;
    return "unreadable";
  }
  const telegramId = values.get("telegram_id");
  // Without its Telegram id (never, while the required purpose stores it) a user cannot be found again.
  if (telegramId === undefined) return "unreadable";
  for (const f of fields) {
    const index = lookupIndex(f.field as FieldId, values.get(f.field as FieldId)!);
    await locked.setFieldIndexes(f.field, {
      blindIndex: index,
      ...(f.uniqueIndex !== null ? { uniqueIndex: index } : {}),
    });
  }
  await locked.setUserIndex(lookupIndex("telegram_id", telegramId), currentId);
  return "reindexed";
}
