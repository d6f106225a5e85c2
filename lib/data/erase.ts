import "server-only";
// Erasure of a person, as one transaction: either the whole account is still there or none of its
// personal data is. What survives holds nothing personal (docs/decisions/004-what-survives-erasure.md).
import { purposeById } from "../domain/catalogue";
import { checkpointAfterErasure, db, type Tx } from "./db";
import { isLocale } from "../i18n/locales";
import { versionOf } from "../domain/purposes";
import { recordAudit } from "./audit";
import { journaledErasures, journalErasure } from "./erasure-journal";
import { appendToLedger, type Method } from "./ledger";
import { lockLedger, withUserWriteLock, type LockedUser } from "./locks";
import { voidPendingSignInsOf } from "./pending-sign-ins";
import { bumpCounter, bumpDaily, counterName } from "./stats";

export async function eraseUserIn(
  tx: Tx,
  userId: string,
  method: Extract<Method, "erasure" | "purge">,
  opts: { journal?: boolean } = {},
): Promise<boolean> {
  // Locks in the common order (lib/data/locks.ts): a concurrent consent change, sign-in or second
  // erasure of this user waits for this one, then finds the user gone.
  await lockLedger(tx);
  const erased = (await withUserWriteLock(tx, userId, (user) => eraseLocked(user, method))) ?? false;
  // Before the commit, so that no erasure commits without its journal entry (lib/data/erasure-journal.ts):
  // a restore of an older backup, and every start, erase the account again.
  if (erased && opts.journal !== false) journalErasure(userId);
  return erased;
}

async function eraseLocked(locked: LockedUser, method: Extract<Method, "erasure" | "purge">): Promise<boolean> {
  const { tx, userId } = locked;
  const user = await tx.user.findUnique({
    where: { id: userId },
    include: { consents: true, fields: { select: { field: true } } },
  });
  if (!user) return false;
  const now = new Date();
  const granted = user.consents.filter((c) => c.granted);
  // The proof that consent ended stays; it names the random id only, which nothing links to a person
  // once the user row below is gone.
  await appendToLedger(
    tx,
    granted.map((c) => {
      const p = purposeById(c.purposeId);
      // Recorded in the language the person decided in, against that language's text in force.
      const v = p && isLocale(c.locale) ? versionOf(p, c.locale) : null;
      return {
        subjectId: userId,
        purposeId: c.purposeId,
        purposeVersion: v?.version ?? c.purposeVersion,
        textHash: v?.textHash ?? "",
        locale: c.locale,
        fields: p?.fields ?? [],
        decision: "withdrawn" as const,
        method,
        at: now,
      };
    }),
  );
  for (const c of granted) {
    await bumpCounter(tx, counterName.purposeActive(c.purposeId), -1);
    await bumpDaily(tx, now, "withdrawn", c.purposeId);
  }
  for (const f of user.fields) await bumpCounter(tx, counterName.fieldStored(f.field), -1);
  await bumpCounter(tx, counterName.users, -1);
  await bumpCounter(tx, counterName.erasures, 1);
  await bumpDaily(tx, now, "erased", method);
  // Sign-in and consent events about the person go with them; the erasure itself is kept as a count.
  await tx.auditEvent.deleteMany({ where: { subjectId: userId } });
  // A first sign-in of the person still waiting for consent (a copy of its cookie on another device)
  // must not create the account again and store the profile it carries (lib/data/pending-sign-ins.ts).
  await voidPendingSignInsOf(tx, user.telegramIdIndex);
  // Deleting the row removes, by cascade, every field ciphertext and blind index, every consent
  // state, the wrapped data key (so any copy of the ciphertext elsewhere is unreadable) and the
  // session version (so every session of the user ends at its next request).
  await locked.deleteUser();
  await recordAudit(tx, "user.erased", null, { method });
  return true;
}

export async function eraseUser(userId: string): Promise<boolean> {
  const client = await db();
  const erased = await client.$transaction((tx) => eraseUserIn(tx, userId, "erasure"));
  if (erased) await checkpointAfterErasure();
  return erased;
}

export type ReplayResult = { journaled: number; erasedAgain: number };

/**
 * Erases again every journaled account still present in the database (one restored from a backup
 * taken before the erasure). Each goes through the ordinary erasure (lib/data/erase.ts): its data
 * key, values, states and sessions are deleted and the ledger records the withdrawals again. Cost:
 * one indexed lookup per 500 journaled ids.
 */
export async function replayErasureJournal(): Promise<ReplayResult> {
  const ids = [...new Set(journaledErasures())];
  const client = await db();
  let erasedAgain = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const present = await client.user.findMany({ where: { id: { in: ids.slice(i, i + 500) } }, select: { id: true } });
    for (const { id } of present) {
      // No second journal entry: the id is in the journal already.
      if (await client.$transaction((tx) => eraseUserIn(tx, id, "erasure", { journal: false }))) erasedAgain += 1;
    }
  }
  if (erasedAgain) await checkpointAfterErasure();
  return { journaled: ids.length, erasedAgain };
}
