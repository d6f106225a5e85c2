import "server-only";
// The data-minimization report for admins: what is stored, under which purpose, whether anything is
// kept without a live consent or past its retention, deletions and key rotation. Numbers only.
// The entry point app/ and lib/use-cases/admin.ts import: queries.ts reads the exact counts, suppression.ts
// decides what of them is published, csv.ts writes the CSV and audit.ts records who looked.
import { catalogue } from "../../domain/catalogue";
import { env } from "../../core/env";
import { purposeText, versionOf } from "../../domain/purposes";
import { recordRetentions } from "../../domain/retention";
import { FIELD_IDS, FIELDS } from "../../domain/fields";
import type { ConsentCheckResult } from "../consent-check";
import { nextPurgeTime } from "../purge";
import { recordReportView } from "./audit";
import { readReportFacts, type ReportFacts } from "./queries";
import { publishCount, publishedShare, publishGroup } from "./suppression";
import type { Count, MinimizationReport, PurposeActivity, ReportChannel } from "./types";

export { reportToCsv } from "./csv";
export { isoWeek } from "./periods";
export { countPastRetention } from "./queries";
export { countRange, publishCount } from "./suppression";
export * from "./types";

const DAY_MS = 86_400_000;

/** The report itself. Reads only; recording who viewed it is the caller's job (viewMinimizationReport). */
export async function getMinimizationReport(now = new Date()): Promise<MinimizationReport> {
  const { facts, check } = await readReportFacts(now);
  return publishReport(facts, check, now);
}

/** The report, with the viewing recorded first (who and when; never any of the report's content). */
export async function viewMinimizationReport(adminUserId: string, channel: ReportChannel): Promise<MinimizationReport> {
  await recordReportView(adminUserId, channel);
  return getMinimizationReport();
}

function publishReport(facts: ReportFacts, check: ConsentCheckResult, now: Date): MinimizationReport {
  const { users, activity } = facts;
  const purposes = catalogue();

  // Each purpose's series (and the all-purposes one) is one group per measure: its days and weeks add up.
  const series = (scope: string): PurposeActivity => {
    const { days, weeks } = activity;
    const periods = [...days, ...weeks];
    const [granted, withdrawn] = (["granted", "withdrawn"] as const).map((m) =>
      publishGroup(periods.map((p) => activity.count(scope, m, p))),
    );
    const at = (i: number) => ({ period: periods[i]!, granted: granted![i]!, withdrawn: withdrawn![i]! });
    return { days: days.map((_, i) => at(i)), weeks: weeks.map((_, i) => at(days.length + i)) };
  };

  const publishedUsers = publishCount(users);
  // Values past retention add up to their total (and the account's field is the dormant accounts).
  const pastRetentionTotal = [...facts.pastRetention.values()].reduce((a, b) => a + b, 0);
  const [pastRetentionShown, ...pastRetentionPerField] = publishGroup([
    pastRetentionTotal,
    ...FIELD_IDS.map((f) => facts.pastRetention.get(f) ?? 0),
  ]);

  const fields = FIELD_IDS.map((field, i) => {
    // A one-time purpose sees the value once and keeps only the date of its check: it covers no storage.
    const covering = purposes.filter((p) => p.fields.includes(field) && !p.oneTime);
    const seenOnce = purposes.filter((p) => p.fields.includes(field) && p.oneTime);
    const consented = Math.max(0, ...covering.map((p) => facts.purposeActive(p.id)));
    return {
      field,
      label: FIELDS[field].label,
      stored: publishCount(facts.fieldStored(field)),
      purposes: covering.map((p) => p.id),
      seenOnceBy: seenOnce.map((p) => p.id),
      consentedPercent: publishedShare(publishCount(consented), publishedUsers),
      consentedPercentIsLowerBound: covering.length > 1,
      withoutLiveConsent: publishCount(check.withoutLiveConsent[field] ?? 0),
      pastRetention: pastRetentionPerField[i]!,
    };
  });

  const purposeRows = purposes.map((p) => ({
    id: p.id,
    // The admin report stays English (issue 15): the operator's own language for the operator's page.
    title: purposeText(p, "en").title,
    required: p.required,
    fields: [...p.fields],
    retentionDays: p.retentionDays,
    versionInForce: versionOf(p, "en")!.version,
    versionsInForce: Object.fromEntries(Object.entries(p.versions).map(([locale, v]) => [locale, v.version])),
    activeConsents: publishCount(facts.purposeActive(p.id)),
    activePercent: publishedShare(publishCount(facts.purposeActive(p.id)), publishedUsers),
    awaitingReconsent: publishCount(facts.awaitingReconsent.get(p.id) ?? 0),
    activity: series(p.id),
  }));

  const interval = env().purgeIntervalMinutes;
  const accountField = FIELD_IDS.findIndex((f) => purposes.some((p) => p.required && p.fields.includes(f)));
  const erasures = publishGroup([
    facts.erasures,
    ...activity.weeks.map((w) => activity.count("*", "erased", w)),
    ...activity.months.map((m) => activity.count("*", "erased", m)),
  ]);
  const lastPurge = facts.lastPurge
    ? {
        startedAt: facts.lastPurge.startedAt.toISOString(),
        finishedAt: facts.lastPurge.finishedAt?.toISOString() ?? null,
        counts: Object.fromEntries(
          Object.entries(facts.lastPurge.counts).map(([k, v]) => [k, publishCount(v)]),
        ) as Record<string, Count>,
      }
    : null;

  return {
    generatedAt: now.toISOString(),
    users: publishedUsers,
    droppedWrites: publishCount(facts.droppedWrites),
    unknownFieldsStored: publishCount(facts.unknownFields),
    consentCheck: {
      checkedAt: check.checkedAt.toISOString(),
      finishedAt: check.finishedAt.toISOString(),
      valuesChecked: publishCount(check.valuesChecked),
      overdue: now.getTime() - check.checkedAt.getTime() > (interval > 0 ? 2 * interval * 60_000 : DAY_MS),
    },
    fields,
    purposes: purposeRows,
    activity: series("*"),
    retention: {
      pastRetentionTotal: pastRetentionShown!,
      // The same count as the account field's past retention, so the same figure.
      dormantAccounts: accountField >= 0 ? pastRetentionPerField[accountField]! : publishCount(facts.dormantAccounts),
      lastPurge,
      nextPurgeAt: nextPurgeTime(facts.lastPurge?.startedAt ?? null, interval, now)?.toISOString() ?? null,
      purgeIntervalMinutes: interval,
    },
    erasures: {
      total: erasures[0]!,
      weeks: activity.weeks.map((w, i) => ({ period: w, erased: erasures[1 + i]! })),
      months: activity.months.map((m, i) => ({ period: m, erased: erasures[1 + activity.weeks.length + i]! })),
    },
    keys: {
      currentKeyId: env().masterKeys[0]!.id,
      currentPercent: publishedShare(publishCount(Math.max(0, users - facts.usersOnOlderKeys)), publishedUsers),
      usersOnOlderKeys: publishCount(facts.usersOnOlderKeys),
    },
    ledgerCheck: facts.lastLedgerCheck
      ? {
          checkedAt: facts.lastLedgerCheck.startedAt.toISOString(),
          finishedAt: facts.lastLedgerCheck.finishedAt?.toISOString() ?? null,
          chainIntact: facts.lastLedgerCheck.chainIntact,
          records: publishCount(facts.lastLedgerCheck.records),
          statesChecked: publishCount(facts.lastLedgerCheck.states),
          decisionsChecked: publishCount(facts.lastLedgerCheck.decisions),
          problems: publishCount(facts.lastLedgerCheck.problems),
          ok: facts.lastLedgerCheck.chainIntact && facts.lastLedgerCheck.problems === 0,
        }
      : null,
    recordsKept: recordRetentions(),
  };
}
