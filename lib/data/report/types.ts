// The report's shape as admins, scripts and the page read it (the JSON contract of GET /api/admin/report).
import type { FieldId } from "../../domain/fields";
import type { Count, PurposeActivity } from "../../domain/report-activity";
import type { RecordRetention } from "../../domain/retention";

// The activity's counts and periods, which the browser needs too (lib/domain/report-activity.ts).
export * from "../../domain/report-activity";

/** How a suppressed percentage is written in the CSV (the page and JSON use null). */
export const SUPPRESSED = "suppressed (small count)";

export const ERASURE_MONTHS = 12;

export type ReportChannel = "page" | "json" | "csv";

export type MinimizationReport = {
  generatedAt: string;
  users: Count;
  droppedWrites: Count;
  /** Stored values under a field name the app does not know (never written by the app). Must be 0. */
  unknownFieldsStored: Count;
  /**
   * The check behind every field's withoutLiveConsent: it looks at every stored value, so it runs
   * with the purge (and by `npm run consent:check`), and the report shows its last result.
   */
  consentCheck: {
    /** When the last check started; its counts describe the values stored then. */
    checkedAt: string;
    finishedAt: string;
    valuesChecked: Count;
    /** Older than twice the purge interval (a day when the app schedules no purge): the schedule is not running it. */
    overdue: boolean;
  };
  fields: {
    field: FieldId;
    label: string;
    stored: Count;
    purposes: string[];
    /** One-time purposes that see the field once and keep only the date of their check. */
    seenOnceBy: string[];
    /** Share of users with a granted purpose covering the field (the largest, if several cover it). */
    consentedPercent: number | null;
    consentedPercentIsLowerBound: boolean;
    /** Stored values whose user has no granted purpose covering the field, at consentCheck.checkedAt. Must be 0. */
    withoutLiveConsent: Count;
    /** Stored values older than the longest retention of the purposes the user granted for it. */
    pastRetention: Count;
  }[];
  purposes: {
    id: string;
    title: string;
    required: boolean;
    fields: string[];
    retentionDays: number;
    /** The English text's version (kept for scripts that read it before there were languages). */
    versionInForce: string;
    /** Per language with a text: the version in force; a decision is current on its own language's. */
    versionsInForce: Record<string, string>;
    activeConsents: Count;
    activePercent: number | null;
    /** Decisions made on an older text of the purpose: these users are asked again. */
    awaitingReconsent: Count;
    activity: PurposeActivity;
  }[];
  activity: PurposeActivity;
  retention: {
    pastRetentionTotal: Count;
    /** Accounts whose last sign-in is older than the account purpose's retention. */
    dormantAccounts: Count;
    lastPurge: { startedAt: string; finishedAt: string | null; counts: Record<string, Count> } | null;
    nextPurgeAt: string | null;
    purgeIntervalMinutes: number;
  };
  erasures: { total: Count; weeks: { period: string; erased: Count }[]; months: { period: string; erased: Count }[] };
  keys: { currentKeyId: string; currentPercent: number | null; usersOnOlderKeys: Count };
  /**
   * The last `npm run ledger:verify`: the hash chain, and the current consent states against the
   * ledger's latest decisions. Null when it has never run on this database.
   */
  ledgerCheck: {
    checkedAt: string;
    finishedAt: string | null;
    chainIntact: boolean;
    records: Count;
    statesChecked: Count;
    decisionsChecked: Count;
    /** States without their ledger record, decisions without their state (and a broken chain). Must be 0. */
    problems: Count;
    ok: boolean;
  } | null;
  /** How long our own records about people are kept before the purge deletes them (lib/domain/retention.ts). */
  recordsKept: RecordRetention[];
};
