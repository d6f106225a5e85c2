import "server-only";
// The server's record of a first sign-in waiting for consent. The profile Telegram sent stays in the
// sealed pending cookie, not here: the row holds a random id (named by the cookie), the keyed blind
// index of the Telegram id and an expiry, nothing readable about the person. The row is what makes
// the cookie usable once and voidable (docs/decisions/002):
// - the account is created only by deleting the row, in the same transaction (two copies: one wins);
// - logging out everywhere and erasure delete every row of the person, so a copy made before either
//   can neither open the account again nor bring an erased person's data back;
// - a row made under another blind-index key than the current one is void: those deletions find a
//   person's rows by the index under the current key, so a row indexed under the old key would
//   outlive them (issue 25, item 2). The rotation also deletes such rows (lib/data/rotation.ts).
import { randomBytes } from "node:crypto";
import { db, type Tx } from "./db";
import { env } from "../core/env";
import { readRows } from "./direct-read";
import { sqlTime, timeParam } from "./sql";

export async function openPendingSignIn(telegramIdIndex: string, expiresAt: Date): Promise<string> {
  const id = randomBytes(24).toString("base64url");
  const client = await db();
  await client.pendingSignIn.create({ data: { id, telegramIdIndex, indexKeyId: env().blindIndexKeyId, expiresAt } });
  return id;
}

/**
 * Whether the pending sign-in can still be finished (for pages: a spent one is not offered). On the
 * driver (direct-read.ts), like the signed-in pages' reads: the consent page asks on every view.
 */
export async function isPendingSignInOpen(id: string): Promise<boolean> {
  const rows = await readRows(
    `SELECT 1 AS "open" FROM "pending_sign_ins" WHERE "id" = ? AND "index_key_id" = ? AND "expires_at" > ${timeParam()}`,
    [id, env().blindIndexKeyId, sqlTime(new Date())],
  );
  return rows.length === 1;
}

/**
 * Spends the pending sign-in inside the transaction that finishes it; false when it was spent,
 * voided or expired. The DELETE decides between racing copies: the second waits for the first and
 * then deletes nothing.
 */
export async function consumePendingSignIn(tx: Tx, id: string): Promise<boolean> {
  const { count } = await tx.pendingSignIn.deleteMany({
    where: { id, indexKeyId: env().blindIndexKeyId, expiresAt: { gt: new Date() } },
  });
  return count === 1;
}

/** Every pending sign-in of a person, voided: their logout everywhere or their erasure. */
export async function voidPendingSignInsOf(tx: Tx, telegramIdIndex: string): Promise<void> {
  await tx.pendingSignIn.deleteMany({ where: { telegramIdIndex } });
}

/** Every pending sign-in made under another blind-index key: void already, gone for good. */
export async function deletePendingSignInsOfOtherKeys(): Promise<number> {
  const client = await db();
  const { count } = await client.pendingSignIn.deleteMany({ where: { indexKeyId: { not: env().blindIndexKeyId } } });
  return count;
}

/** A cancelled pending sign-in (the consent page's cancel, a logout). */
export async function closePendingSignIn(id: string): Promise<void> {
  const client = await db();
  await client.pendingSignIn.deleteMany({ where: { id } });
}
