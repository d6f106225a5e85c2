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
import { timeOf } from "./sql";
import { readRows } from "./direct-read";
import { bumpCounter, bumpDaily, counterName } from "./stats";
import { decryptFields, eraseUncoveredFields, type StoredField, type UserKeyRow } from "./vault";

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
 * It takes the signed-in user's row (getSession read it for this request), so the user is not read again.
 *
 * One statement, not a transaction of three reads: the decisions, the stored values and the outcomes
 * come from one snapshot on both databases (a withdrawal that commits meanwhile is either wholly seen
 * or not at all), in one round trip. A Prisma interactive transaction cost BEGIN and COMMIT round
 * trips and its own bookkeeping on every signed-in page (issue 26).
 */
export async function getConsentOverview(user: UserKeyRow & { lastSignInAt: Date }): Promise<PurposeView[]> {
  const userId = user.id;
  // k: which table the row is from; the other columns are that table's, NULL where it has none.
  const rows = await readRows<{
    k: string;
    a: string;
    granted: unknown;
    version: string | null;
    locale: string | null;
    t1: unknown;
    t2: unknown;
    bytes: Uint8Array | null;
  }>(
    // The stored values' SELECT comes first, so that the BLOB column is declared as one (SQLite takes
    // a column's declared type from the first SELECT of a UNION).
    `SELECT 'f' AS "k", "field" AS "a", NULL AS "granted", NULL AS "version", NULL AS "locale", "stored_at" AS "t1", "updated_at" AS "t2", "ciphertext" AS "bytes" FROM "user_fields" WHERE "user_id" = ?
     UNION ALL SELECT 'c', "purpose_id", "granted", "purpose_version", "locale", "decided_at", NULL, NULL FROM "consent_states" WHERE "user_id" = ?
     UNION ALL SELECT 'o', "purpose_id", NULL, NULL, NULL, "at", NULL, NULL FROM "purpose_outcomes" WHERE "user_id" = ?
     ORDER BY 1, 2`,
    [userId, userId, userId],
  );
  const states = new Map(
    rows
      .filter((r) => r.k === "c")
      .map((r) => [
        r.a,
        {
          granted: r.granted === true || Number(r.granted) === 1,
          purposeVersion: r.version!,
          locale: r.locale!,
          decidedAt: timeOf(r.t1),
        },
      ]),
  );
  const fields = decryptFields(
    user,
    rows
      .filter((r) => r.k === "f")
      .map((r) => ({ field: r.a, ciphertext: r.bytes!, storedAt: timeOf(r.t1), updatedAt: timeOf(r.t2) })),
  );
  const outcomes = new Map(rows.filter((r) => r.k === "o").map((r) => [r.a, timeOf(r.t1)]));
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
}

export function defaultDecisions(): Decisions {
  return Object.fromEntries(catalogue().map((p) => [p.id, p.required]));
}
