import "server-only";
// Accounts: creating one from a pending first sign-in once its required purpose is approved, ending
// every session of a user, and whether a user has purposes to decide. The sign-in of a returning
// user is lib/data/sign-in/.
import { randomUUID } from "node:crypto";
import { accountPurpose, catalogue } from "../domain/catalogue";
import { db, type Tx } from "./db";
import type { Locale } from "../i18n/locales";
import { isCurrentDecision } from "../domain/purposes";
import type { TelegramProfile } from "../telegram/widget";
import { recordAudit } from "./audit";
import { applyDecisions, type Decisions } from "./consents";
import { lockLedger } from "./locks";
import { consumePendingSignIn, voidPendingSignInsOf } from "./pending-sign-ins";
import { bumpCounter, counterName } from "./stats";
import { dataKeyOf, newWrappedDataKey, telegramIdIndex, telegramIdIndexes, writeFields } from "./vault";
import type { ConsentStateRow } from "./storage-rule";

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

/**
 * True when a purpose has no decision yet, or its text changed since the user decided: in the
 * language the user decided in (a change to the Russian text asks again only who decided on it).
 */
export function needsDecision(
  states: readonly Pick<ConsentStateRow, "purposeId" | "purposeVersion" | "locale">[],
): boolean {
  const decided = new Map(states.map((s) => [s.purposeId, s]));
  return catalogue().some((p) => {
    const state = decided.get(p.id);
    return !state || !isCurrentDecision(p, state);
  });
}

export async function needsConsentIn(tx: Tx, userId: string): Promise<boolean> {
  return needsDecision(
    await tx.consentState.findMany({
      where: { userId },
      select: { purposeId: true, purposeVersion: true, locale: true },
    }),
  );
}

/**
 * Finishes a pending first sign-in (lib/data/pending-sign-ins.ts): spends it, creates the account,
 * records every decision and stores the approved fields of the profile Telegram sent at that
 * sign-in, all in one transaction. Null when the pending sign-in was already used, or voided by its
 * owner's logout everywhere or erasure: then nothing is written. If the same person finished another
 * pending sign-in meanwhile (a second device), their existing account is used.
 */
export async function createAccountFromPending(
  pendingId: string,
  profile: TelegramProfile,
  decisions: Decisions,
  method: "page" | "api",
  locale: Locale,
): Promise<{ userId: string; sessionVersion: number } | null> {
  const client = await db();
  return client.$transaction(async (tx) => {
    // The ledger first (lib/data/locks.ts): erasure and logout everywhere take it before voiding a
    // person's pending sign-ins, so each either commits before this spends it or sees it spent.
    await lockLedger(tx);
    if (!(await consumePendingSignIn(tx, pendingId))) return null;
    return createAccountIn(tx, profile, decisions, method, locale);
  });
}

/**
 * Creates an account without a pending sign-in to spend: for seeding tests and benchmarks only. A
 * person's first sign-in goes through createAccountFromPending.
 */
export async function createAccount(
  profile: TelegramProfile,
  decisions: Decisions,
  method: "page" | "api",
  locale: Locale = "en",
): Promise<{ userId: string; sessionVersion: number }> {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockLedger(tx);
    return createAccountIn(tx, profile, decisions, method, locale);
  });
}

async function createAccountIn(
  tx: Tx,
  profile: TelegramProfile,
  decisions: Decisions,
  method: "page" | "api",
  locale: Locale,
): Promise<{ userId: string; sessionVersion: number }> {
  const index = telegramIdIndex(profile.telegramId);
  // Under either key while a blind-index rotation runs: a person not yet re-indexed is not new.
  const existing = await tx.user.findFirst({
    where: { telegramIdIndex: { in: telegramIdIndexes(profile.telegramId) } },
  });
  const userId = existing?.id ?? randomUUID();
  let dataKey: Buffer;
  let sessionVersion: number;
  if (existing) {
    dataKey = dataKeyOf(existing);
    sessionVersion = existing.sessionVersion;
  } else {
    const key = newWrappedDataKey(userId);
    dataKey = key.dataKey;
    const user = await tx.user.create({
      data: { id: userId, telegramIdIndex: index, wrappedDataKey: key.wrapped, wrapKeyId: key.keyId },
    });
    sessionVersion = user.sessionVersion;
    await bumpCounter(tx, counterName.users, 1);
    await recordAudit(tx, "user.created", userId);
  }
  await applyDecisions(tx, userId, { ...decisions, [accountPurpose().id]: true }, method, locale);
  const { dropped } = await writeFields(tx, { id: userId, dataKey }, profileValues(profile));
  await recordAudit(tx, "auth.signed_in", userId, { dropped });
  return { userId, sessionVersion };
}

/**
 * Ends every session of the user at once: cookies carry the version they were issued under. A first
 * sign-in of the person still waiting for consent elsewhere is voided too, or a copy of its cookie
 * would open the account again.
 */
export async function bumpSessionVersion(userId: string): Promise<void> {
  const client = await db();
  await client.$transaction(async (tx) => {
    // The ledger first, as createAccountFromPending takes it: one waits for the other.
    await lockLedger(tx);
    const user = await tx.user.update({
      where: { id: userId },
      data: { sessionVersion: { increment: 1 } },
      select: { telegramIdIndex: true },
    });
    await tx.session.deleteMany({ where: { userId } });
    await voidPendingSignInsOf(tx, user.telegramIdIndex);
    await recordAudit(tx, "auth.logged_out_everywhere", userId);
  });
}

export async function userNeedsConsent(userId: string): Promise<boolean> {
  const client = await db();
  return client.$transaction((tx) => needsConsentIn(tx, userId));
}
