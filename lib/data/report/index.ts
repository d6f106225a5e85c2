import "server-only";
// The data-minimization report for admins: what is stored, under which purpose, whether anything is
// kept without a live consent or past its retention, deletions and key rotation. Numbers only.
// The entry point app/ and lib/admin.ts import: queries.ts reads the exact counts, suppression.ts
// decides what of them is published, csv.ts writes the CSV and audit.ts records who looked.
import { catalogue } from "../../catalogue";
import { env } from "../../env";
import { FIELD_IDS, FIELDS } from "../../fields";
import type { ConsentCheckResult } from "../consent-check";
import { nextPurgeTime } from "../purge";
import { recordReportView } from "./audit";
import { readReportFacts, type ReportFacts } from "./queries";
import { displayCount, share } from "./suppression";
import type { Count, MinimizationReport, PurposeActivity, ReportChannel } from "./types";

export { recordAdminRefusal } from "./audit";
export { reportToCsv } from "./csv";
export { isoWeek } from "./periods";
export { countPastRetention, countUnknownFields } from "./queries";
export { displayCount } from "./suppression";
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

  const series = (scope: string): PurposeActivity => ({
    days: activity.days.map((d) => ({ period: d, granted: displayCount(activity.count(scope, "granted", d)), withdrawn: displayCount(activity.count(scope, "withdrawn", d)) })),
    weeks: activity.weeks.map((w) => ({ period: w, granted: displayCount(activity.count(scope, "granted", w)), withdrawn: displayCount(activity.count(scope, "withdrawn", w)) })),
  });

  const fields = FIELD_IDS.map((field) => {
    const covering = purposes.filter((p) => p.fields.includes(field));
    const consented = Math.max(0, ...covering.map((p) => facts.purposeActive(p.id)));
    return {
      field,
      label: FIELDS[field].label,
      stored: displayCount(facts.fieldStored(field)),
      purposes: covering.map((p) => p.id),
      consentedPercent: share(consented, users),
      consentedPercentIsLowerBound: covering.length > 1,
      withoutLiveConsent: displayCount(check.withoutLiveConsent[field] ?? 0),
      pastRetention: displayCount(facts.pastRetention.get(field) ?? 0),
    };
  });

  const purposeRows = purposes.map((p) => ({
    id: p.id,
    title: p.title,
    required: p.required,
    fields: [...p.fields],
    retentionDays: p.retentionDays,
    versionInForce: p.version,
    activeConsents: displayCount(facts.purposeActive(p.id)),
    activePercent: share(facts.purposeActive(p.id), users),
    awaitingReconsent: displayCount(facts.awaitingReconsent.get(p.id) ?? 0),
    activity: series(p.id),
  }));

  const interval = env().purgeIntervalMinutes;
  const pastRetentionTotal = [...facts.pastRetention.values()].reduce((a, b) => a + b, 0);
  const lastPurge = facts.lastPurge
    ? {
        startedAt: facts.lastPurge.startedAt.toISOString(),
        finishedAt: facts.lastPurge.finishedAt?.toISOString() ?? null,
        counts: Object.fromEntries(Object.entries(facts.lastPurge.counts).map(([k, v]) => [k, displayCount(v)])) as Record<string, Count>,
      }
    : null;

  return {
    generatedAt: now.toISOString(),
    users: displayCount(users),
    droppedWrites: displayCount(facts.droppedWrites),
    unknownFieldsStored: displayCount(facts.unknownFields),
    consentCheck: {
      checkedAt: check.checkedAt.toISOString(),
      finishedAt: check.finishedAt.toISOString(),
      valuesChecked: displayCount(check.valuesChecked),
      overdue: now.getTime() - check.checkedAt.getTime() > (interval > 0 ? 2 * interval * 60_000 : DAY_MS),
    },
    fields,
    purposes: purposeRows,
    activity: series("*"),
    retention: {
      pastRetentionTotal: displayCount(pastRetentionTotal),
      dormantAccounts: displayCount(facts.dormantAccounts),
      lastPurge,
      nextPurgeAt: nextPurgeTime(facts.lastPurge?.startedAt ?? null, interval, now)?.toISOString() ?? null,
      purgeIntervalMinutes: interval,
    },
    erasures: {
      total: displayCount(facts.erasures),
      weeks: activity.weeks.map((w) => ({ period: w, erased: displayCount(activity.count("*", "erased", w)) })),
      months: activity.months.map((m) => ({ period: m, erased: displayCount(activity.count("*", "erased", m)) })),
    },
    keys: { currentKeyId: env().masterKeys[0]!.id, currentPercent: share(Math.max(0, users - facts.usersOnOlderKeys), users), usersOnOlderKeys: displayCount(facts.usersOnOlderKeys) },
  };
}
