import "server-only";
// Personal field values: the storage gate (planFieldWrites), the writers that go through it, the
// erasure of values no consent keeps any more, and the owner's decrypting read. A value is written
// only while a granted consent, on the purpose's current text, covers its field; anything else is
// dropped and counted, never stored. Values are encrypted under the user's data key before they
// reach the database; lookup fields also get a keyed blind index.
// Other code that touches field rows, and why it may: the sign-in's driver path
// (lib/data/sign-in/direct.ts) writes through planFieldWrites below and fieldUpsertStatement (lib/data/field-statement.ts);
// phone.ts writes a shared number through writeFields, then marks its uniqueness index; rotation.ts
// re-computes blind indexes from the decrypted values; contact.ts decrypts a number for an admin's
// audited lookup; purge.ts deletes values past retention; erase.ts deletes them with the user row
// (by cascade); seed.ts writes synthetic people for benchmarks; the report and the consent check
// count rows without reading values.
import {
  blindIndex,
  DecryptError,
  decrypt,
  encrypt,
  newDataKey,
  toBytes,
  unwrapDataKey,
  wrapDataKey,
} from "../crypto/fields";
import type { Tx } from "./db";
import { env } from "../core/env";
import { FIELDS, isFieldId, type FieldId } from "../domain/fields";
import { withUserWriteLock, type LockedUser } from "./locks";
import type { FieldUpsert } from "./field-statement";
import { fieldsKeptUnder, fieldsWritableUnder, grantedStatesOf } from "./storage-rule";
import { bumpCounter, bumpCounters, counterName } from "./stats";

export type UserKeyRow = { id: string; wrappedDataKey: Uint8Array; wrapKeyId: string };

export function newWrappedDataKey(userId: string): {
  dataKey: Buffer;
  wrapped: Uint8Array<ArrayBuffer>;
  keyId: string;
} {
  const dataKey = newDataKey();
  const { wrapped, keyId } = wrapDataKey(env().masterKeys, dataKey, userId);
  return { dataKey, wrapped: toBytes(wrapped), keyId };
}

export function dataKeyOf(user: UserKeyRow): Buffer {
  return unwrapDataKey(env().masterKeys, user.wrappedDataKey, user.wrapKeyId, user.id);
}

export function fieldAad(userId: string, field: FieldId): string {
  return `${userId}:${field}`;
}

/** The index a value is written with: under the current blind-index key. */
export function lookupIndex(field: FieldId, value: string): string {
  return blindIndex(env().blindIndexKey, field, value);
}

/** How a returning user is found: the keyed blind index of their Telegram id (users.telegram_id_index). */
export function telegramIdIndex(telegramId: bigint): string {
  return lookupIndex("telegram_id", telegramId.toString());
}

/**
 * The indexes a value may be found under: the current key's, then, while a blind-index rotation runs
 * (BLIND_INDEX_KEY_PREVIOUS set), the previous key's, for rows the rotation has not reached yet.
 * Always two entries (the current one twice when no rotation runs), so SQL can say `IN (?, ?)`.
 */
export function lookupIndexes(field: FieldId, value: string): [string, string] {
  const current = lookupIndex(field, value);
  const previous = env().blindIndexKeyPrevious;
  return [current, previous ? blindIndex(previous, field, value) : current];
}

/** Every index a user's row may carry: during a blind-index rotation, the previous key's too. */
export function telegramIdIndexes(telegramId: bigint): [string, string] {
  return lookupIndexes("telegram_id", telegramId.toString());
}

/** Fields a new value may be written in right now (the write rule, lib/data/storage-rule.ts). */
export async function coveredFields(tx: Tx, userId: string): Promise<Set<FieldId>> {
  return fieldsWritableUnder(await tx.consentState.findMany({ where: grantedStatesOf(userId) }));
}

export type WriteResult = { written: FieldId[]; dropped: number };

type FieldValues = Partial<Record<string, string | null | undefined>>;

/**
 * Writes the covered values and drops the rest. An undefined value means "Telegram did not send
 * it"; null means "Telegram says it is empty now", which erases a stored copy.
 */
export async function writeFields(
  tx: Tx,
  user: { id: string; dataKey: Buffer },
  values: FieldValues,
): Promise<WriteResult> {
  // Consents are read under the user's row lock, so a withdrawal cannot commit between this read
  // and the write below and leave a value stored without consent.
  const result = await withUserWriteLock(tx, user.id, (locked) => writeFieldsLocked(locked, user.dataKey, values));
  return result ?? { written: [], dropped: 0 };
}

/** writeFields for a caller that already holds the user's row lock. */
export async function writeFieldsLocked(
  locked: LockedUser,
  dataKey: Buffer,
  values: FieldValues,
): Promise<WriteResult> {
  return writeCovered(locked, dataKey, values, await coveredFields(locked.tx, locked.userId));
}

/**
 * Every covered value in one statement; its updated_at moves even when the value did not change,
 * because a value Telegram sends again starts its retention period afresh (docs/decisions/008).
 */
async function writeCovered(
  locked: LockedUser,
  dataKey: Buffer,
  values: FieldValues,
  covered: ReadonlySet<FieldId>,
): Promise<WriteResult> {
  const user = { id: locked.userId, dataKey };
  const now = new Date();
  const written: FieldId[] = [];
  const counters = new Map<string, number>();
  const { upserts, erase, dropped } = planFieldWrites(user, values, covered);
  for (const field of erase) {
    counters.set(counterName.fieldStored(field), -(await locked.deleteFields([field])));
  }
  if (upserts.length) {
    for (const r of await locked.upsertFields(upserts, now)) {
      if (r.created) counters.set(counterName.fieldStored(r.field), 1);
    }
    written.push(...upserts.map((u) => u.field));
  }
  // Counted, never logged with content: the report shows how often something was offered and refused.
  counters.set(counterName.droppedWrites, dropped);
  await bumpCounters(locked.tx, counters);
  return { written, dropped };
}

export type FieldWritePlan = { upserts: FieldUpsert[]; erase: FieldId[]; dropped: number };

/**
 * The storage gate's rule, shared by every writer of field values (writeFields and the sign-in's
 * driver path, lib/data/sign-in/direct.ts): only fields in `covered` (read under the user's
 * row lock) are kept, encrypted under the user's data key; everything else is dropped and counted.
 * An undefined value means "Telegram did not send it"; null or empty means "Telegram says it is empty
 * now", which erases a stored copy.
 */
export function planFieldWrites(
  user: { id: string; dataKey: Buffer },
  values: FieldValues,
  covered: ReadonlySet<FieldId>,
): FieldWritePlan {
  const upserts: FieldUpsert[] = [];
  const erase: FieldId[] = [];
  let dropped = 0;
  for (const [field, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (!isFieldId(field) || !covered.has(field)) {
      dropped += 1;
      continue;
    }
    if (value === null || value === "") erase.push(field);
    else
      upserts.push({
        field,
        ciphertext: encrypt(user.dataKey, value, fieldAad(user.id, field)),
        index: FIELDS[field].lookup ? lookupIndex(field, value) : null,
      });
  }
  return { upserts, erase, dropped };
}

/** Deletes stored fields that no granted consent covers any more. Returns what was erased. */
export async function eraseUncoveredFields(locked: LockedUser): Promise<FieldId[]> {
  const { tx, userId } = locked;
  // The keep rule: a grant on an older text still keeps a value while the person is asked again.
  const stillCovered = fieldsKeptUnder(await tx.consentState.findMany({ where: grantedStatesOf(userId) }));
  const stored = await tx.userField.findMany({ where: { userId }, select: { field: true } });
  const erase = stored.map((r) => r.field).filter((f): f is FieldId => isFieldId(f) && !stillCovered.has(f));
  if (erase.length === 0) return [];
  await locked.deleteFields(erase);
  for (const f of erase) await bumpCounter(tx, counterName.fieldStored(f), -1);
  return erase;
}

/** value is null when it can no longer be decrypted (its data key is destroyed or corrupted). */
export type StoredField = { field: FieldId; value: string | null; storedAt: Date; updatedAt: Date };

function tryDecrypt(fn: () => string): string | null {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DecryptError) return null;
    throw e;
  }
}

/** A user_fields row as read by raw SQL, before decryption. */
export type FieldRow = { field: string; ciphertext: Uint8Array; storedAt: Date; updatedAt: Date };

/**
 * A user's stored fields, decrypted for that user: null where the data key or a value is unreadable.
 * Never cached.
 */
export function decryptFields(user: UserKeyRow, rows: readonly FieldRow[]): StoredField[] {
  let key: Buffer | null = null;
  try {
    key = dataKeyOf(user);
  } catch (e) {
    // An unreadable data key must not take the owner's pages down: they can still see what is
    // stored (as unreadable), withdraw, export and delete.
    if (!(e instanceof DecryptError)) throw e;
  }
  return rows
    .filter((r) => isFieldId(r.field))
    .map((r) => ({
      field: r.field as FieldId,
      value: key ? tryDecrypt(() => decrypt(key, r.ciphertext, fieldAad(user.id, r.field as FieldId))) : null,
      storedAt: r.storedAt,
      updatedAt: r.updatedAt,
    }));
}
