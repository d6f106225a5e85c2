import "server-only";
// Everything kept about a user, as the user may ask under GDPR Art. 15 and 20, and the consent
// receipt (Kantara Consent Receipt v1.1 fields, which ISO/IEC 27560 builds on).
import { env } from "../core/env";
import { DEMO_PHONE_SOURCE, FIELDS } from "../domain/fields";
import { DEFAULT_LOCALE, isLocale, type Locale } from "../i18n/locales";
import { purposeText, versionOf } from "../domain/purposes";
import { recordRetentions } from "../domain/retention";
import { getConsentOverview, type PurposeView } from "./consents";
import { ledgerForSubject, meaningOfHistory, type Decision, type LedgerRecord } from "./ledger";
import { timeOf } from "./sql";
import { readRows } from "./direct-read";
import type { UserKeyRow } from "./vault";

/**
 * The language a purpose's text is given in: the one the person decided in while that text is
 * still in force (what they read), else the language of the page asking.
 */
function shownIn(v: PurposeView, locale: Locale): Locale {
  const decided = v.decidedOn?.locale;
  return !v.needsDecision && isLocale(decided) ? decided : locale;
}

/** The decision on a purpose: its language and the version of the text it was made on. */
function decisionOf(v: PurposeView, history: readonly LedgerRecord[]) {
  if (!v.decidedOn) return null;
  const { locale, version } = v.decidedOn;
  // The full hash of the text decided on: the newest ledger record of that decision.
  const record = history.findLast(
    (r) => r.purposeId === v.purpose.id && r.purposeVersion === version && r.locale === locale,
  );
  return { language: locale, version, textHash: record?.textHash ?? null, current: !v.needsDecision };
}

/** The signed-in user's row, as getSession read it for this request: not read again here (issue 26). */
export type ExportingUser = UserKeyRow & { createdAt: Date; lastSignInAt: Date };

/**
 * The whole export (GET /api/me/export). `locale`: the language of the page or request asking, for
 * purposes the person has not decided on.
 */
export async function exportUserData(user: ExportingUser, locale: Locale = DEFAULT_LOCALE) {
  const [{ receipt, ...rest }, events] = await Promise.all([
    exportForReading(user, locale),
    readRows<{ type: string; at: unknown; detail: string | null }>(
      `SELECT "type", "at", "detail" FROM "audit_events" WHERE "subject_id" = ? ORDER BY "id"`,
      [user.id],
    ),
  ]);
  return {
    ...rest,
    events: events.map((e) => ({
      type: e.type,
      at: timeOf(e.at).toISOString(),
      detail: e.detail ? JSON.parse(e.detail) : null,
    })),
    receipt,
  };
}

/**
 * The export without its events, for the printable page, which does not list them (the JSON
 * download carries them). Every view of the export writes one, so reading them grew the page's cost
 * with each view of it.
 */
export async function exportForReading(user: ExportingUser, locale: Locale = DEFAULT_LOCALE) {
  const userId = user.id;
  const [overview, history] = await Promise.all([getConsentOverview(user), ledgerForSubject(userId)]);
  const meanings = meaningOfHistory(history);
  return {
    format: "consent-login export v1",
    exportedAt: new Date().toISOString(),
    controller: controllerOf(),
    account: {
      id: user.id,
      createdAt: user.createdAt.toISOString(),
      lastSignInAt: user.lastSignInAt.toISOString(),
      encryption: { algorithm: "AES-256-GCM", envelope: true, masterKeyId: user.wrapKeyId },
    },
    purposes: overview.map((v) => ({
      id: v.purpose.id,
      // The text below is in this language, and `version` is its version in force.
      language: shownIn(v, locale),
      ...purposeText(v.purpose, shownIn(v, locale)),
      required: v.purpose.required,
      fields: v.purpose.fields,
      retentionDays: v.purpose.retentionDays,
      version: versionOf(v.purpose, shownIn(v, locale))?.version ?? null,
      granted: v.granted,
      decidedAt: v.decidedAt?.toISOString() ?? null,
      decision: decisionOf(v, history),
      ...(v.purpose.oneTime ? { oneTime: true, outcomeAt: v.outcomeAt?.toISOString() ?? null } : {}),
      stored: Object.fromEntries(
        v.stored.map((f) => [
          f.field,
          {
            value: f.value,
            label: FIELDS[f.field].label,
            source: f.field === "phone_number" && env().demo ? DEMO_PHONE_SOURCE : FIELDS[f.field].source,
            storedAt: f.storedAt.toISOString(),
            updatedAt: f.updatedAt.toISOString(),
            purgeAt: f.purgeAt.toISOString(),
          },
        ]),
      ),
    })),
    consentHistory: history.map((r, i) => ({
      seq: r.seq,
      purposeId: r.purposeId,
      purposeVersion: r.purposeVersion,
      textHash: r.textHash,
      language: r.locale,
      fields: r.fields,
      // What the record meant; `recorded` keeps the word stored (and hashed) when older records differ.
      decision: meanings[i]!,
      ...(meanings[i] !== r.decision ? { recorded: r.decision } : {}),
      method: r.method,
      at: r.at.toISOString(),
      hash: r.hash,
    })),
    // What we log about people besides the values above, and how long each is kept before the purge
    // deletes it (the events, in the whole export, among them).
    recordsKept: recordRetentions(),
    receipt: receiptFrom(userId, overview, history, locale),
  };
}

/** Who is asking (GDPR Art. 13(1)(a)): the operator's settings, as the consent page shows them. */
function controllerOf() {
  const { controller, appOrigin } = env();
  return {
    name: controller.name,
    contact: controller.contact,
    privacyPolicyUrl: controller.privacyPolicyUrl,
    origin: appOrigin,
    placeholder: controller.placeholder,
  };
}

export type UserExport = Awaited<ReturnType<typeof exportUserData>>;
export type ConsentReceipt = ReturnType<typeof receiptFrom>;

export async function consentReceipt(user: ExportingUser, locale: Locale = DEFAULT_LOCALE) {
  const [overview, history] = await Promise.all([getConsentOverview(user), ledgerForSubject(user.id)]);
  return receiptFrom(user.id, overview, history, locale);
}

/**
 * The receipt is in the language of the latest decision it lists (the language the person last
 * read our texts in); `locale`, the language asking, only when there is no decision.
 */
function receiptFrom(userId: string, overview: PurposeView[], history: readonly LedgerRecord[], locale: Locale) {
  const granted = overview.filter((v) => v.granted);
  const latestView = granted.reduce<PurposeView | null>(
    (acc, v) => (v.decidedAt && (!acc?.decidedAt || v.decidedAt > acc.decidedAt) ? v : acc),
    null,
  );
  const latest = latestView?.decidedAt ?? null;
  const language: Locale = isLocale(latestView?.decidedOn?.locale) ? latestView.decidedOn.locale : locale;
  const origin = env().appOrigin;
  const controller = env().controller;
  return {
    version: "KI-CR-v1.1.0",
    jurisdiction: "EU (GDPR)",
    consentTimestamp: Math.floor((latest ?? new Date()).getTime() / 1000),
    collectionMethod: "web form at /consent and /settings (granted per purpose)",
    consentReceiptID: `${userId}:${latest?.toISOString() ?? "none"}`,
    language,
    piiPrincipalId: userId,
    piiControllers: [
      {
        piiController: controller.name,
        contact: controller.contact,
        address: origin,
        email: controller.email ?? "",
        phone: "",
        piiControllerUrl: controller.contactHref?.startsWith("http") ? controller.contactHref : origin,
        onBehalf: false,
      },
    ],
    // None when the operator configured none: the receipt must not name a page that is not a policy.
    policyUrl: controller.privacyPolicyUrl ?? null,
    services: [
      {
        service: "Sign in with Telegram",
        purposes: granted.map((v) => {
          const decision = decisionOf(v, history);
          const decidedIn = isLocale(decision?.language) ? decision.language : DEFAULT_LOCALE;
          const text = purposeText(v.purpose, decidedIn);
          return {
            purpose: text.title,
            purposeId: v.purpose.id,
            // The language and version of the text decided on, and its full hash (as in the ledger).
            language: decidedIn,
            purposeVersion: decision?.version ?? null,
            textHash: decision?.textHash ?? null,
            // The words decided on while they are still the text in force; after a change, only the
            // hash of the earlier text is kept with the decision (the person is asked again).
            text: decision?.current ? text : null,
            textNote: decision?.current
              ? null
              : "This decision was made on an earlier version of the text, identified by its hash; the current text differs.",
            purposeCategory: [text.justification],
            consentType: v.purpose.required ? "EXPLICIT (required for the account)" : "EXPLICIT",
            // A one-time purpose sees its fields once and keeps only the date of its check.
            piiCategory: v.purpose.oneTime
              ? [`Date of the check (${v.purpose.fields.map((f) => FIELDS[f].label).join(", ")} seen once, never kept)`]
              : v.purpose.fields.map((f) => FIELDS[f].label),
            primaryPurpose: v.purpose.required,
            termination: `${v.purpose.retentionDays} days after the data was last refreshed, or when withdrawn`,
            thirdPartyDisclosure: false,
            grantedAt: v.decidedAt?.toISOString() ?? null,
          };
        }),
      },
    ],
    // Purposes not granted now, and whether the person declined them or withdrew a grant.
    notGranted: notGrantedFrom(overview, history, language),
    sensitive: false,
    spiCat: [],
  };
}

function notGrantedFrom(overview: PurposeView[], history: readonly LedgerRecord[], language: Locale) {
  const meanings = meaningOfHistory(history);
  return overview
    .filter((v) => !v.granted)
    .map((v) => {
      const i = history.findLastIndex((r) => r.purposeId === v.purpose.id);
      const decision: Decision | null = i >= 0 ? meanings[i]! : null;
      return {
        purpose: purposeText(v.purpose, language).title,
        purposeId: v.purpose.id,
        decision: decision === "granted" ? null : decision,
        at: i >= 0 ? history[i]!.at.toISOString() : null,
      };
    });
}
