import "server-only";
// Key check values: the start refuses a configuration whose keys do not fit what is stored, instead
// of answering each returning sign-in with a DecryptError (wrong FIELD_ENCRYPTION_KEY) or silently
// creating a second account for each returning person (BLIND_INDEX_KEY replaced without
// BLIND_INDEX_KEY_PREVIOUS).
//
// key_checks holds, per kind, one row for each key that may have written what is stored: its id and
// an HMAC of a constant under it (checkValueOf). The rows are the keys the data depends on, so every
// row must match a configured key (the current one or a _PREVIOUS one). The current key is added
// when missing (new accounts are written under it); `npm run keys:rotate` leaves only the current
// key once every user has moved to it (completeKeyChecks). Reading the rows costs a few rows, not a
// scan of the users.
//
// A database without rows (created before migration 0010) is checked once against its data at the
// first start, then its rows are recorded: every master key id its users are wrapped under must be
// configured, and one user's data key is unwrapped and their Telegram id's index recomputed under the
// configured blind-index keys (verifyAgainstData).
import { createHmac, timingSafeEqual } from "node:crypto";
import { blindIndex, decrypt, DecryptError } from "../crypto/fields";
import { db, type Db, type Tx } from "./db";
import { executeSql, sqlTime, timeParam } from "./sql";
import { env, keyIdOf } from "../core/env";
import { dataKeyOf, fieldAad } from "./vault";

export type KeyKind = "field" | "blind_index";

export class KeyCheckError extends Error {
  override name = "KeyCheckError";
}

export function checkValueOf(key: Buffer): string {
  return createHmac("sha256", key).update("consent-login key check v1").digest("hex");
}

/** The configured keys of a kind, current first. */
function configured(kind: KeyKind): Buffer[] {
  const e = env();
  if (kind === "field") return e.masterKeys.map((k) => k.key);
  return [e.blindIndexKey, ...(e.blindIndexKeyPrevious ? [e.blindIndexKeyPrevious] : [])];
}

function matches(key: Buffer, row: { keyId: string; checkValue: string }): boolean {
  const a = Buffer.from(checkValueOf(key), "hex");
  const b = Buffer.from(row.checkValue, "hex");
  return keyIdOf(key) === row.keyId && a.length === b.length && timingSafeEqual(a, b);
}

function mismatch(kind: KeyKind, keyId: string | null): string {
  const which = keyId ? ` (key id ${keyId})` : "";
  return kind === "field"
    ? `  FIELD_ENCRYPTION_KEY: does not match the master key this database's data keys are wrapped with${which}. ` +
        "Set the key the data was written with; to change keys, put the old one in FIELD_ENCRYPTION_KEY_PREVIOUS and run npm run keys:rotate."
    : `  BLIND_INDEX_KEY: does not match the key this database's lookup indexes were computed with${which}; ` +
        "returning people would not be found and would get a second account. Set the old key back, or keep it in " +
        "BLIND_INDEX_KEY_PREVIOUS and run npm run keys:rotate -- --blind-index.";
}

/**
 * Records a key's check row unless it is there. Several instances may start at once on a new
 * database: one statement, so the first insert wins and the others change nothing. Prisma's upsert
 * was a read, then a write in the same transaction; on SQLite, when another instance wrote in
 * between, the write failed at once with SQLITE_BUSY (a stale snapshot waits for no busy_timeout)
 * and the instance refused to start.
 */
async function recordKeyCheck(client: Db | Tx, row: { kind: KeyKind; keyId: string; checkValue: string }) {
  await executeSql(
    client,
    `INSERT INTO key_checks (kind, key_id, check_value, created_at) VALUES (?, ?, ?, ${timeParam()})
     ON CONFLICT (kind, key_id) DO NOTHING`,
    [row.kind, row.keyId, row.checkValue, sqlTime(new Date())],
  );
}

export type KeyCheckOutcome = { recorded: KeyKind[]; firstStart: boolean };

/**
 * Throws KeyCheckError (naming the variable, never a key) when a configured key does not fit the
 * stored check values; otherwise records the current keys where missing.
 */
export async function verifyKeyChecks(): Promise<KeyCheckOutcome> {
  const client = await db();
  const rows = await client.keyCheck.findMany();
  const firstStart = rows.length === 0;
  if (firstStart) {
    for (const [kind, key] of await verifyAgainstData()) {
      const row = { kind, keyId: keyIdOf(key), checkValue: checkValueOf(key) };
      await recordKeyCheck(client, row);
      rows.push({ ...row, createdAt: new Date() });
    }
  }
  const problems: string[] = [];
  for (const kind of ["field", "blind_index"] as const) {
    const keys = configured(kind);
    for (const row of rows.filter((r) => r.kind === kind)) {
      if (!keys.some((k) => matches(k, row))) problems.push(mismatch(kind, row.keyId));
    }
  }
  if (problems.length) throw new KeyCheckError(`Keys do not fit this database:\n${problems.join("\n")}`);
  const recorded: KeyKind[] = [];
  for (const kind of ["field", "blind_index"] as const) {
    const current = configured(kind)[0]!;
    const id = keyIdOf(current);
    if (rows.some((r) => r.kind === kind && r.keyId === id)) continue;
    await recordKeyCheck(client, { kind, keyId: id, checkValue: checkValueOf(current) });
    recorded.push(kind);
  }
  return { recorded, firstStart };
}

/** After a completed rotation: only the current key of the kind has written what is stored. */
export async function completeKeyChecks(kind: KeyKind): Promise<void> {
  const client = await db();
  const current = configured(kind)[0]!;
  const id = keyIdOf(current);
  await client.$transaction(async (tx) => {
    await tx.keyCheck.deleteMany({ where: { kind, keyId: { not: id } } });
    await recordKeyCheck(tx, { kind, keyId: id, checkValue: checkValueOf(current) });
  });
}

/** The stored rows, for tests and the CLI (ids only). */
export async function storedKeyChecks(): Promise<{ kind: string; keyId: string }[]> {
  const client = await db();
  return client.keyCheck.findMany({ select: { kind: true, keyId: true }, orderBy: [{ kind: "asc" }] });
}

/**
 * The first start of a database that has data but no check values yet (see the header). Returns the
 * previous keys the data may still depend on (the master keys users are wrapped under; the previous
 * blind-index key, since users not yet re-indexed cannot be told apart cheaply), to be recorded.
 */
async function verifyAgainstData(): Promise<[KeyKind, Buffer][]> {
  const client = await db();
  const e = env();
  const problems: string[] = [];
  const wrapIds = await client.user.groupBy({ by: ["wrapKeyId"] });
  const ringIds = new Set(e.masterKeys.map((k) => k.id));
  for (const { wrapKeyId } of wrapIds) if (!ringIds.has(wrapKeyId)) problems.push(mismatch("field", wrapKeyId));
  const blindIds = new Set(configured("blind_index").map(keyIdOf));
  for (const { indexKeyId } of await client.user.groupBy({ by: ["indexKeyId"], where: { indexKeyId: { not: "" } } }))
    if (!blindIds.has(indexKeyId)) problems.push(mismatch("blind_index", indexKeyId));
  if (problems.length) throw new KeyCheckError(`Keys do not fit this database:\n${problems.join("\n")}`);
  const inUse: [KeyKind, Buffer][] = [
    ...e.masterKeys
      .filter((k) => wrapIds.some((w) => w.wrapKeyId === k.id))
      .map((k) => ["field", k.key] as [KeyKind, Buffer]),
    ...(e.blindIndexKeyPrevious ? [["blind_index", e.blindIndexKeyPrevious] as [KeyKind, Buffer]] : []),
  ];
  // One user proves both keys: their data key unwraps (AES-GCM authenticates it), and their Telegram
  // id, decrypted, indexes to the stored index under a configured blind-index key.
  const sample = await client.user.findFirst({
    where: { fields: { some: { field: "telegram_id" } } },
    select: {
      id: true,
      wrappedDataKey: true,
      wrapKeyId: true,
      telegramIdIndex: true,
      fields: { where: { field: "telegram_id" }, select: { ciphertext: true } },
    },
    orderBy: { lastSignInAt: "desc" },
  });
  if (!sample) return inUse;
  let telegramId: string;
  try {
    const dataKey = dataKeyOf(sample);
    telegramId = decrypt(dataKey, sample.fields[0]!.ciphertext, fieldAad(sample.id, "telegram_id"));
    dataKey.fill(0);
  } catch (err) {
    if (!(err instanceof DecryptError)) throw err;
    throw new KeyCheckError(`Keys do not fit this database:\n${mismatch("field", sample.wrapKeyId)}`);
  }
  const indexes = configured("blind_index").map((k) => blindIndex(k, "telegram_id", telegramId));
  if (!indexes.includes(sample.telegramIdIndex))
    throw new KeyCheckError(`Keys do not fit this database:\n${mismatch("blind_index", null)}`);
  return inUse;
}
