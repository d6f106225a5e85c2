import "server-only";
// The sign-in of a Telegram identity (Login Widget or OpenID Connect), which runs on the database
// driver under Prisma instead of through it (docs/decisions/009-sign-in-cost.md), as the signed-in
// pages' reads do (lib/data/direct-read.ts). direct.ts holds the statements and what they keep,
// ../group-commit.ts the shared SQLite commit.
import { driver } from "../db";
import { budgetRefusal, budgetRow, isBlocked, spend, type LimitName } from "../rate-limit";
import type { TelegramProfile } from "../../telegram/widget";
import { claimExpiry, pruneExpiredLoginState } from "../login-replay";
import { needsDecision, profileValues } from "../users";
import { telegramIdIndexes } from "../vault";
import { signInOnPostgres, signInOnSqlite, type DirectSignIn } from "./direct";
import { inGroupCommit } from "../group-commit";

export type SignInOutcome =
  | { kind: "existing"; userId: string; sessionVersion: number; sessionId: string | null; needsConsent: boolean }
  | { kind: "new" }
  | { kind: "replay" };

export type SignInOptions = {
  /**
   * Single use of a Login Widget payload, claimed before anything is written (direct.ts). With
   * `budget`, a rate limit checked before the claim (a used-up one throws RateLimitedError and
   * leaves the payload unclaimed) and spent once the payload is claimed, never by a replayed copy.
   */
  claim?: { replayKey: string; authDate: number; budget?: { limit: LimitName; key: string } };
  /** Creates the session row in the same transaction, expiring then. */
  sessionExpiresAt?: Date;
};

/**
 * A returning user: refresh the fields their consents cover, drop the rest. A new person: nothing
 * is stored; the caller keeps the sign-in pending until the consent page is saved. The refresh and
 * the session row commit together: on SQLite with the claim, possibly in one group commit with other
 * sign-ins (one fsync for all of them); on PostgreSQL in one statement guarded by the user's row
 * version, after the claim committed with the read.
 */
export async function signInWithTelegram(profile: TelegramProfile, opts: SignInOptions = {}): Promise<SignInOutcome> {
  const budget = opts.claim?.budget;
  // PostgreSQL keeps the limits in the database: the claim's statement checks and spends the budget
  // (direct.ts), one round trip instead of three. In memory (SQLite), around it.
  const row = budget ? budgetRow(budget.limit, budget.key) : null;
  if (budget && !row) {
    const blocked = await isBlocked(budget.limit, budget.key);
    if (blocked) throw blocked;
  }
  const req: DirectSignIn = {
    indexes: telegramIdIndexes(profile.telegramId),
    values: profileValues(profile),
    claim: opts.claim && {
      replayKey: opts.claim.replayKey,
      expiresAt: claimExpiry(opts.claim.authDate),
      budget: row ?? undefined,
    },
    sessionExpiresAt: opts.sessionExpiresAt,
  };
  const handle = await driver();
  // SQLite: sign-ins arriving together share one commit (group-commit.ts says why only there).
  const outcome =
    handle.kind === "sqlite"
      ? await inGroupCommit((connection) => signInOnSqlite(connection, req))
      : await signInOnPostgres(handle.pool, req);
  if (outcome.kind === "limited") throw budgetRefusal(row!, outcome.expire);
  await pruneExpiredLoginState();
  // The sign-in has happened: refusing it now would only waste it (spend never refuses).
  if (budget && !row && outcome.kind !== "replay") await spend(budget.limit, budget.key);
  if (outcome.kind !== "existing") return outcome;
  const { states, ...rest } = outcome;
  return { ...rest, needsConsent: needsDecision(states) };
}
