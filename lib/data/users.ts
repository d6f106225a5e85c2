import "server-only";
// Accounts: finding a returning user by the keyed blind index of their Telegram id, creating an
// account only once its required purpose is approved, and signing in.
import { randomUUID } from "node:crypto";
import { accountPurpose, catalogue } from "../catalogue";
import { db, driver, type Tx } from "../db";
import type { TelegramProfile } from "../telegram/widget";
import { recordAudit } from "./audit";
import { applyDecisions, type Decisions } from "./consents";
import { lockLedger } from "./locks";
import { inGroupCommit } from "./group-commit";
import { claimExpiry, pruneExpiredLoginState } from "./login-replay";
import { signInOnPostgres, signInOnSqlite, type DirectSignIn } from "./sign-in-direct";
import { bumpCounter, counterName } from "./stats";
import { dataKeyOf, lookupIndex, lookupIndexes, newWrappedDataKey, writeFields, type ConsentStateRow } from "./vault";

export function telegramIdIndex(telegramId: bigint): string {
  return lookupIndex("telegram_id", telegramId.toString());
}

/** Every index the user's row may carry: during a blind-index rotation, the previous key's too. */
export function telegramIdIndexes(telegramId: bigint): [string, string] {
  return lookupIndexes("telegram_id", telegramId.toString());
}

/** Profile fields Telegram sent, by field id. The id itself is stored only under the account purpose. */
export function profileValues(profile: TelegramProfile): Record<string, string | undefined> {
  return {
    telegram_id: profile.telegramId.toString(),
    first_name: profile.first_name,
    last_name: profile.last_name,
    username: profile.username,
    photo_url: profile.photo_url,
  };
}

export type SignInOutcome =
  | { kind: "existing"; userId: string; sessionVersion: number; sessionId: string | null; needsConsent: boolean }
  | { kind: "new" }
  | { kind: "replay" };

export type SignInOptions = {
  /** Single use of a Login Widget payload, claimed before anything is written (sign-in-direct.ts). */
  claim?: { replayKey: string; authDate: number };
  /** Creates the session row in the same transaction, expiring then. */
  sessionExpiresAt?: Date;
};

/**
 * A returning user: refresh the fields their consents cover, drop the rest. A new person: nothing
 * is stored; the caller keeps the sign-in pending until the consent page is saved. The refresh and
 * the session row commit together: on SQLite with the claim, possibly in one group commit with other
 * sign-ins (one fsync for all of them); on PostgreSQL in one statement guarded by the user's row
 * version, after the claim committed with the read.
 *
 * On the database driver, not through Prisma (lib/data/sign-in-direct.ts says what it keeps and
 * docs/decisions/009-sign-in-cost.md why): the sign-in is the one hot path where Prisma's cost per
 * statement was most of the request.
 */
export async function signInWithTelegram(profile: TelegramProfile, opts: SignInOptions = {}): Promise<SignInOutcome> {
  const req: DirectSignIn = {
    indexes: telegramIdIndexes(profile.telegramId),
    values: profileValues(profile),
    claim: opts.claim && { replayKey: opts.claim.replayKey, expiresAt: claimExpiry(opts.claim.authDate) },
    sessionExpiresAt: opts.sessionExpiresAt,
  };
  const handle = await driver();
  // SQLite: sign-ins arriving together share one commit (lib/data/group-commit.ts says why only there).
  const outcome = handle.kind === "sqlite" ? await inGroupCommit((connection) => signInOnSqlite(connection, req)) : await signInOnPostgres(handle.pool, req);
  await pruneExpiredLoginState();
  if (outcome.kind !== "existing") return outcome;
  const { states, ...rest } = outcome;
  return { ...rest, needsConsent: needsDecision(states) };
}

/** True when a purpose has no decision yet, or its text changed since the user decided. */
function needsDecision(states: readonly Pick<ConsentStateRow, "purposeId" | "purposeVersion">[]): boolean {
  const decided = new Map(states.map((s) => [s.purposeId, s.purposeVersion]));
  return catalogue().some((p) => decided.get(p.id) !== p.version);
}

export async function needsConsentIn(tx: Tx, userId: string): Promise<boolean> {
  return needsDecision(await tx.consentState.findMany({ where: { userId }, select: { purposeId: true, purposeVersion: true } }));
}

/**
 * Creates the account from a pending sign-in once the user approved the required purpose, records
 * every decision, and stores the approved fields of the profile Telegram sent at that sign-in.
 * If the same person finished a sign-in elsewhere meanwhile, their existing account is used.
 */
export async function createAccount(profile: TelegramProfile, decisions: Decisions, method: "page" | "api"): Promise<{ userId: string; sessionVersion: number }> {
  const client = await db();
  const index = telegramIdIndex(profile.telegramId);
  return client.$transaction(async (tx) => {
    await lockLedger(tx);
    // Under either key while a blind-index rotation runs: a person not yet re-indexed is not new.
    const existing = await tx.user.findFirst({ where: { telegramIdIndex: { in: telegramIdIndexes(profile.telegramId) } } });
    const userId = existing?.id ?? randomUUID();
    let dataKey: Buffer;
    let sessionVersion: number;
    if (existing) {
      dataKey = dataKeyOf(existing);
      sessionVersion = existing.sessionVersion;
    } else {
      const key = newWrappedDataKey(userId);
      dataKey = key.dataKey;
      const user = await tx.user.create({ data: { id: userId, telegramIdIndex: index, wrappedDataKey: key.wrapped, wrapKeyId: key.keyId } });
      sessionVersion = user.sessionVersion;
      await bumpCounter(tx, counterName.users, 1);
      await recordAudit(tx, "user.created", userId);
    }
    await applyDecisions(tx, userId, { ...decisions, [accountPurpose().id]: true }, method);
    const { dropped } = await writeFields(tx, { id: userId, dataKey }, profileValues(profile));
    await recordAudit(tx, "auth.signed_in", userId, { dropped });
    return { userId, sessionVersion };
  });
}

export type SessionUser = { id: string; sessionVersion: number; telegramIdIndex: string; wrappedDataKey: Uint8Array; wrapKeyId: string; createdAt: Date; lastSignInAt: Date };

/** Ends every session of the user at once: cookies carry the version they were issued under. */
export async function bumpSessionVersion(userId: string): Promise<void> {
  const client = await db();
  await client.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
    await tx.session.deleteMany({ where: { userId } });
    await recordAudit(tx, "auth.logged_out_everywhere", userId);
  });
}

export async function userNeedsConsent(userId: string): Promise<boolean> {
  const client = await db();
  return client.$transaction((tx) => needsConsentIn(tx, userId));
}
