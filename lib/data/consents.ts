import "server-only";
// Granting and withdrawing consent, per purpose. Every decision is a ledger record and an audit
// event in the same transaction; withdrawing erases, in that transaction too, every field that no
// other granted purpose still covers.
import { catalogue, purposeById } from "../domain/catalogue";
import { db, checkpointAfterErasure, type Tx } from "./db";
import type { FieldId } from "../domain/fields";
import type { Locale } from "../i18n/locales";
import { isCurrentDecision, purposeText, versionOf, type Purpose } from "../domain/purposes";
import { recordAudit } from "./audit";
import { appendToLedger, type Method } from "./ledger";
import { lockLedger, withUserWriteLock, type LockedUser } from "./locks";
import { queryRows, timeOf } from "./sql";
import { bumpCounter, bumpDaily, counterName } from "./stats";
import { eraseUncoveredFields, readFields, type StoredField, type UserKeyRow } from "./vault";

export type Decisions = Record<string, boolean>;

export type DecisionProblem = { purposeId: string; message: string };

/** Checks decisions against the catalogue: known purposes, and the required one cannot be refused here. */
export function checkDecisions(decisions: Decisions, locale: Locale): DecisionProblem[] {
  const problems: DecisionProblem[] = [];
  for (const [purposeId, granted] of Object.entries(decisions)) {
    const purpose = purposeById(purposeId);
    if (!purpose) problems.push({ purposeId, message: `There is no purpose called "${purposeId.slice(0, 40)}".` });
    else if (purpose.required && !granted)
      problems.push({
        purposeId,
        message: `"${purposeText(purpose, locale).title}" is required for an account. To remove it, delete your account instead.`,
      });
  }
  return problems;
}

export type AppliedDecisions = { changed: { purposeId: string; granted: boolean }[]; erased: FieldId[] };

/**
 * Records each decision that changes something: a new decision, a different answer, or the same
 * answer on new purpose text (a re-consent). `locale` is the language the person read the texts in
 * (an offered one, checked by the caller): the decision is recorded against that language's version.
 * The caller has checked the decisions.
 */
export async function applyDecisions(
  tx: Tx,
  userId: string,
  decisions: Decisions,
  method: Method,
  locale: Locale,
): Promise<AppliedDecisions> {
  await lockLedger(tx);
  return (
    (await withUserWriteLock(tx, userId, (user) => decide(user, decisions, method, locale))) ?? {
      changed: [],
      erased: [],
    }
  );
}

async function decide(
  user: LockedUser,
  decisions: Decisions,
  method: Method,
  locale: Locale,
): Promise<AppliedDecisions> {
  const { tx, userId } = user;
  const now = new Date();
  const current = new Map((await tx.consentState.findMany({ where: { userId } })).map((s) => [s.purposeId, s]));
  const changed: AppliedDecisions["changed"] = [];
  const ledger = [];
  for (const [purposeId, granted] of Object.entries(decisions)) {
    const purpose = purposeById(purposeId)!;
    // Validation gives every purpose a text in every offered language; English if it ever had not.
    const shown = versionOf(purpose, locale) ? locale : "en";
    const { version, textHash } = versionOf(purpose, shown)!;
    const before = current.get(purposeId);
    // The same answer on a text still in force (in the language it was given in) changes nothing.
    if (before && before.granted === granted && isCurrentDecision(purpose, before)) continue;
    await user.setConsent(purposeId, { granted, purposeVersion: version, locale: shown, decidedAt: now });
    const wasGranted = before?.granted ?? false;
    if (wasGranted !== granted) {
      await bumpCounter(tx, counterName.purposeActive(purposeId), granted ? 1 : -1);
    }
    // A refusal on first asking is a decision worth proving too, but only grants and withdrawals of
    // a previous grant move the report's "over time" chart.
    if (granted || wasGranted) await bumpDaily(tx, now, granted ? "granted" : "withdrawn", purposeId);
    ledger.push({
      subjectId: userId,
      purposeId,
      purposeVersion: version,
      textHash,
      locale: shown,
      fields: purpose.fields,
      // A no to a purpose that was not granted declines it; only a no to a grant withdraws it.
      decision: granted ? ("granted" as const) : wasGranted ? ("withdrawn" as const) : ("declined" as const),
      method,
      at: now,
    });
    await recordAudit(tx, granted ? "consent.granted" : wasGranted ? "consent.withdrawn" : "consent.declined", userId, {
      purpose: purposeId,
      method,
    });
    changed.push({ purposeId, granted });
  }
  await appendToLedger(tx, ledger);
  // A one-time purpose keeps only its outcome (when it happened): withdrawing it removes that too.
  const withdrawn = changed.filter((c) => !c.granted).map((c) => c.purposeId);
  await user.deleteOutcomes(withdrawn);
  const erased = await eraseUncoveredFields(user);
  return { changed, erased };
}

export type ConsentResult =
  | { ok: true; changed: AppliedDecisions["changed"]; erased: FieldId[] }
  | { ok: false; message: string; problems: DecisionProblem[] };

/** The one implementation behind the consent page, the settings page and PUT /api/me/consents. */
export async function setConsents(
  userId: string,
  decisions: Decisions,
  method: Method,
  locale: Locale,
): Promise<ConsentResult> {
  const problems = checkDecisions(decisions, locale);
  if (problems.length) return { ok: false, message: problems.map((p) => p.message).join(" "), problems };
  const client = await db();
  const applied = await client.$transaction((tx) => applyDecisions(tx, userId, decisions, method, locale));
  if (applied.erased.length) await checkpointAfterErasure();
  return { ok: true, ...applied };
}

export type PurposeView = {
  purpose: Purpose;
  granted: boolean;
  decidedAt: Date | null;
  /** The language and version of the text the user decided on (null: never decided). */
  decidedOn: { locale: string; version: string } | null;
  /** The text changed since the user decided (or they never decided): ask again. */
  needsDecision: boolean;
  stored: (StoredField & { purgeAt: Date })[];
  /** One-time purposes: when it happened (e.g. phone verified at); never the data it looked at. */
  outcomeAt: Date | null;
};

/**
 * Every purpose with the user's decision and the values stored under it, decrypted for the owner.
 * Given the signed-in user's row (getSession read it for this request), the user is not read again:
 * one statement fewer on every page that shows the overview (issue 26).
 */
export async function getConsentOverview(of: string | (UserKeyRow & { lastSignInAt: Date })): Promise<PurposeView[]> {
  const client = await db();
  return client.$transaction(async (tx) => {
    const user = typeof of === "string" ? await tx.user.findUniqueOrThrow({ where: { id: of } }) : of;
    const userId = user.id;
    // Raw SQL in the same transaction, not Prisma's model queries: each of those compiled its query
    // again on every request, and this overview is most of the settings page's database work (issue 26).
    const states = new Map(
      (
        await queryRows<{
          purpose_id: string;
          granted: unknown;
          purpose_version: string;
          locale: string;
          decided_at: unknown;
        }>(
          tx,
          `SELECT "purpose_id", "granted", "purpose_version", "locale", "decided_at" FROM "consent_states" WHERE "user_id" = ?`,
          [userId],
        )
      ).map((r) => [
        r.purpose_id,
        {
          granted: r.granted === true || Number(r.granted) === 1,
          purposeVersion: r.purpose_version,
          locale: r.locale,
          decidedAt: timeOf(r.decided_at),
        },
      ]),
    );
    const fields = await readFields(tx, user);
    const outcomes = new Map(
      (
        await queryRows<{ purpose_id: string; at: unknown }>(
          tx,
          `SELECT "purpose_id", "at" FROM "purpose_outcomes" WHERE "user_id" = ?`,
          [userId],
        )
      ).map((r) => [r.purpose_id, timeOf(r.at)]),
    );
    return catalogue().map((purpose) => {
      const state = states.get(purpose.id);
      const granted = state?.granted ?? false;
      const anchor = (f: StoredField) => (purpose.required ? user.lastSignInAt : f.updatedAt);
      return {
        purpose,
        granted,
        decidedAt: state?.decidedAt ?? null,
        decidedOn: state ? { locale: state.locale, version: state.purposeVersion } : null,
        needsDecision: !state || !isCurrentDecision(purpose, state),
        outcomeAt: granted ? (outcomes.get(purpose.id) ?? null) : null,
        stored:
          granted && !purpose.oneTime
            ? fields
                .filter((f) => purpose.fields.includes(f.field))
                .map((f) => ({ ...f, purgeAt: new Date(anchor(f).getTime() + purpose.retentionDays * 86_400_000) }))
            : [],
      };
    });
  });
}

export function defaultDecisions(): Decisions {
  return Object.fromEntries(catalogue().map((p) => [p.id, p.required]));
}
