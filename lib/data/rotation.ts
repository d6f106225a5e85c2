import "server-only";
// Master-key rotation. Only the users' data keys are re-wrapped: field ciphertext is encrypted
// under each user's own data key, which does not change, so no personal value is decrypted or
// rewritten and the work is one small row per user however many fields they keep (envelope
// encryption, docs/decisions/003-envelope-encryption-and-rotation.md).
//
// Resumable by construction: each batch selects only rows still under a previous key and commits
// on its own, and each update is conditional on the key id it read. An interrupted run loses at most
// its open batch (rolled back by the database), a rerun picks up what is left, and a data key
// is never wrapped twice, even when two runs overlap.
import { DecryptError, wrapDataKey } from "../crypto/fields";
import { db } from "../db";
import { env } from "../env";
import { dataKeyOf } from "./vault";

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
