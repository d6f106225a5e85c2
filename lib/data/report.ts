import "server-only";
// The data-minimization report for admins: what is stored, under which purpose, whether anything is
// kept without a live consent or past its retention, deletions and key rotation. Numbers only.
//
// Cost: everything the request reads is read from counters and daily_stats (maintained in the same
// transactions as the changes they count), from index range scans whose size is the number of
// problems found (overdue values, stale decisions, users on an old master key), or from the stored
// result of the "stored without live consent" check, which must not trust the code or the
// counters it audits and so looks at every stored value: it runs beside the purge, not here
// (lib/data/consent-check.ts). See docs/decisions/005-admin-report-cost.md.
import { catalogue } from "../catalogue";
import { db, type Db, type Tx } from "../db";
import { env } from "../env";
import { FIELD_IDS, FIELDS, type FieldId } from "../fields";
import { recordAudit } from "./audit";
import { lastConsentCheck, runConsentCheck, type ConsentCheckResult } from "./consent-check";
import { queryRows, sqlTime, timeParam, toCount } from "./sql";
import { counterName, utcDay } from "./stats";

export const FEWER_THAN_5 = "fewer than 5" as const;
/** A count as shown to admins: 1 to 4 could single out a person, so it is never shown exactly. */
export type Count = number | typeof FEWER_THAN_5;

export function displayCount(n: number): Count {
  return n >= 1 && n <= 4 ? FEWER_THAN_5 : n;
}

/** How a suppressed percentage is written in the CSV (the page and JSON use null). */
export const SUPPRESSED = "suppressed (small count)";

/** Percent with one decimal, or null when either side is small enough to single someone out. */
function share(part: number, whole: number): number | null {
  if (whole <= 0) return 0;
  if ((part >= 1 && part <= 4) || whole <= 4 || (whole - part >= 1 && whole - part <= 4)) return null;
  return Math.round((part / whole) * 1000) / 10;
}

const DAY_MS = 86_400_000;
export const ACTIVITY_DAYS = 28;
export const ACTIVITY_WEEKS = 12;
export const ERASURE_MONTHS = 12;

export type PeriodActivity = { period: string; granted: Count; withdrawn: Count };
export type PurposeActivity = { days: PeriodActivity[]; weeks: PeriodActivity[] };

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
    versionInForce: string;
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
};

/** ISO 8601 week of a UTC day, e.g. "2026-W48". */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7;
  const thursday = new Date(d.getTime() + (3 - weekday) * DAY_MS);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - yearStart) / DAY_MS / 7) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

function lastDays(now: Date, n: number): string[] {
  return Array.from({ length: n }, (_, i) => utcDay(new Date(now.getTime() - (n - 1 - i) * DAY_MS)));
}

function lastWeeks(now: Date, n: number): string[] {
  return Array.from({ length: n }, (_, i) => isoWeek(utcDay(new Date(now.getTime() - (n - 1 - i) * 7 * DAY_MS))));
}

function lastMonths(now: Date, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (n - 1 - i), 1));
    return d.toISOString().slice(0, 7);
  });
}

type Tally = Map<string, number>;
const add = (t: Tally, k: string, v: number) => t.set(k, (t.get(k) ?? 0) + v);

async function readCounters(client: Db | Tx): Promise<(name: string) => number> {
  const rows = await client.counter.findMany();
  const byName = new Map(rows.map((r) => [r.name, r.value]));
  return (name) => byName.get(name) ?? 0;
}

/**
 * Values under a field name the app does not know: they have no consent by definition. Counted
 * live, as range scans in the gaps between the known names on user_fields(field, ...), so the cost
 * is the number of such values.
 */
export async function countUnknownFields(client: Db | Tx): Promise<number> {
  const known = [...FIELD_IDS].sort();
  const gaps = [`field < ?`, ...known.slice(1).map(() => `(field > ? AND field < ?)`), `field > ?`];
  const gapParams = [known[0], ...known.slice(1).flatMap((k, i) => [known[i], k]), known.at(-1)];
  let unknown = 0;
  for (let g = 0, p = 0; g < gaps.length; g++) {
    const n = g === 0 || g === gaps.length - 1 ? 1 : 2;
    const [row] = await queryRows<{ n: unknown }>(client, `SELECT COUNT(*) AS n FROM user_fields WHERE ${gaps[g]}`, gapParams.slice(p, p + n));
    unknown += toCount(row?.n);
    p += n;
  }
  return unknown;
}

/**
 * The last stored result of the no-live-consent check. A database that has never been checked
 * (a new install, or one upgraded from before the check was stored) is checked once, here.
 */
async function readConsentCheck(client: Db): Promise<ConsentCheckResult> {
  return (await lastConsentCheck(client)) ?? (await runConsentCheck());
}

/**
 * Stored values older than their retention, per field. The range scan on (field, updated_at) reads
 * only values older than the shortest retention of the purposes covering the field; each is kept
 * only if the user granted a covering lasting purpose whose retention still allows it: exactly what
 * the next purge erases. For the account purpose the clock is the last sign-in, counted on users.
 */
export async function countPastRetention(client: Db | Tx, now: Date): Promise<{ perField: Map<string, number>; dormantAccounts: number }> {
  const perField = new Map<string, number>();
  let dormantAccounts = 0;
  for (const field of FIELD_IDS) {
    const covering = catalogue().filter((p) => p.fields.includes(field));
    if (covering.length === 0) continue;
    if (covering.some((p) => p.required)) {
      const account = covering.find((p) => p.required)!;
      const [row] = await queryRows<{ n: unknown }>(client, `SELECT COUNT(*) AS n FROM users WHERE last_sign_in_at < ${timeParam()}`, [
        sqlTime(new Date(now.getTime() - account.retentionDays * DAY_MS)),
      ]);
      dormantAccounts = toCount(row?.n);
      perField.set(field, dormantAccounts);
      continue;
    }
    // The purge's rule (lib/data/purge.ts): only a lasting purpose keeps a value. A one-time purpose
    // (phone_verification) uses the value once and keeps nothing, so a value it alone covers is overdue.
    const keepers = covering.filter((p) => !p.oneTime);
    if (keepers.length === 0) {
      const [row] = await queryRows<{ n: unknown }>(client, `SELECT COUNT(*) AS n FROM user_fields WHERE field = ?`, [field]);
      perField.set(field, toCount(row?.n));
      continue;
    }
    const cutoff = (days: number) => sqlTime(new Date(now.getTime() - days * DAY_MS));
    const shortest = Math.min(...keepers.map((p) => p.retentionDays));
    const stillAllowed = keepers.map(() => `(cs.purpose_id = ? AND uf.updated_at >= ${timeParam()})`).join(" OR ");
    // A scalar subquery, not NOT EXISTS: PostgreSQL turns NOT EXISTS into an anti-join and, once
    // overdue values are many, hashes every granted consent of the purpose (linear in users); a
    // scalar subquery stays a primary-key probe of consent_states per overdue value on both databases.
    const [row] = await queryRows<{ n: unknown }>(
      client,
      `SELECT COUNT(*) AS n FROM user_fields uf
       WHERE uf.field = ? AND uf.updated_at < ${timeParam()}
         AND (
           SELECT 1 FROM consent_states cs
           WHERE cs.user_id = uf.user_id AND cs.granted = TRUE AND (${stillAllowed})
           LIMIT 1
         ) IS NULL`,
      [field, cutoff(shortest), ...keepers.flatMap((p) => [p.id, cutoff(p.retentionDays)])],
    );
    perField.set(field, toCount(row?.n));
  }
  return { perField, dormantAccounts };
}

/**
 * Rows whose column differs from one value, as two index range scans (below and above it), so the
 * cost is the number of differing rows, not the size of the table.
 */
async function countOtherThan(client: Db | Tx, table: "consent_states" | "users", column: string, value: string, where: string, params: unknown[]): Promise<number> {
  let total = 0;
  for (const op of ["<", ">"]) {
    const [row] = await queryRows<{ n: unknown }>(client, `SELECT COUNT(*) AS n FROM ${table} WHERE ${where} AND ${column} ${op} ?`, [...params, value]);
    total += toCount(row?.n);
  }
  return total;
}

async function readActivity(client: Db | Tx, now: Date) {
  const days = lastDays(now, ACTIVITY_DAYS);
  const weeks = lastWeeks(now, ACTIVITY_WEEKS);
  const months = lastMonths(now, ERASURE_MONTHS);
  // The earliest day any period shown needs: the Monday of the first week, or the first month.
  const firstWeekDay = utcDay(new Date(now.getTime() - ((ACTIVITY_WEEKS - 1) * 7 + ((now.getUTCDay() + 6) % 7)) * DAY_MS));
  // Raw rows: a few thousand at most (days x purposes), but Prisma's row mapping was the slowest part.
  const rows = (
    await queryRows<{ day: string; metric: string; key: string; value: unknown }>(
      client,
      `SELECT day, metric, "key" AS key, value FROM daily_stats WHERE (metric = 'granted' OR metric = 'withdrawn') AND day >= ?
       UNION ALL SELECT day, metric, "key" AS key, value FROM daily_stats WHERE metric = 'erased' AND day >= ?`,
      [[firstWeekDay, days[0]!].sort()[0]!, `${months[0]}-01`],
    )
  ).map((r) => ({ ...r, value: toCount(r.value) }));
  const byDay: Tally = new Map();
  const byWeek: Tally = new Map();
  const byMonth: Tally = new Map();
  for (const r of rows) {
    const scope = r.metric === "erased" ? "*" : r.key;
    for (const s of r.metric === "erased" ? [scope] : [scope, "*"]) {
      add(byDay, `${s}|${r.metric}|${r.day}`, r.value);
      add(byWeek, `${s}|${r.metric}|${isoWeek(r.day)}`, r.value);
      add(byMonth, `${s}|${r.metric}|${r.day.slice(0, 7)}`, r.value);
    }
  }
  const series = (scope: string): PurposeActivity => ({
    days: days.map((d) => ({ period: d, granted: displayCount(byDay.get(`${scope}|granted|${d}`) ?? 0), withdrawn: displayCount(byDay.get(`${scope}|withdrawn|${d}`) ?? 0) })),
    weeks: weeks.map((w) => ({ period: w, granted: displayCount(byWeek.get(`${scope}|granted|${w}`) ?? 0), withdrawn: displayCount(byWeek.get(`${scope}|withdrawn|${w}`) ?? 0) })),
  });
  const erasures = {
    weeks: weeks.map((w) => ({ period: w, erased: displayCount(byWeek.get(`*|erased|${w}`) ?? 0) })),
    months: months.map((m) => ({ period: m, erased: displayCount(byMonth.get(`*|erased|${m}`) ?? 0) })),
  };
  return { series, erasures };
}

async function readLastPurge(client: Db | Tx): Promise<MinimizationReport["retention"]["lastPurge"]> {
  const run = await client.jobRun.findFirst({ where: { job: "purge" }, orderBy: { startedAt: "desc" } });
  if (!run) return null;
  const counts: Record<string, Count> = {};
  try {
    const parsed: unknown = run.result ? JSON.parse(run.result) : {};
    // Only numbers are taken over: the result is another job's text and the report stays numbers-only.
    if (parsed && typeof parsed === "object") {
      for (const [k, v] of Object.entries(parsed)) if (typeof v === "number" && Number.isFinite(v) && /^[a-z0-9_.:-]{1,60}$/i.test(k)) counts[k] = displayCount(v);
    }
  } catch {
    /* an unreadable result shows as no counts */
  }
  return { startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null, counts };
}

/** The report itself. Reads only; recording who viewed it is the caller's job (viewMinimizationReport). */
export async function getMinimizationReport(now = new Date()): Promise<MinimizationReport> {
  const client = await db();
  // Outside the transaction below: on a database never checked, this runs the check (seconds).
  const check = await readConsentCheck(client);
  if (env().databaseKind !== "postgres") return readReport(client, now, check);
  // Every query here is an index range scan over the problems it counts, usually a few pages. At a
  // million users PostgreSQL's estimates for some of them reach hundreds of thousands of rows (it
  // takes purpose_id and purpose_version as independent, so "another version of this purpose"
  // looks like a third of the table), and it then starts parallel workers and JIT-compiles the
  // plan: 50-100 ms per query for a scan that reads three pages, a dozen times per report. Neither
  // can help a query this small, so the report turns both off for its own transaction only.
  return client.$transaction(async (tx) => {
    await tx.$executeRawUnsafe("SET LOCAL jit = off");
    await tx.$executeRawUnsafe("SET LOCAL max_parallel_workers_per_gather = 0");
    return readReport(tx, now, check);
  });
}

async function readReport(client: Db | Tx, now: Date, check: ConsentCheckResult): Promise<MinimizationReport> {
  const [counter, unknownFields, retention, activity, lastPurge] = await Promise.all([
    readCounters(client),
    countUnknownFields(client),
    countPastRetention(client, now),
    readActivity(client, now),
    readLastPurge(client),
  ]);
  const users = counter(counterName.users);
  const purposes = catalogue();
  const activeOf = (id: string) => counter(counterName.purposeActive(id));

  const fields = FIELD_IDS.map((field) => {
    const covering = purposes.filter((p) => p.fields.includes(field));
    const consented = Math.max(0, ...covering.map((p) => activeOf(p.id)));
    return {
      field,
      label: FIELDS[field].label,
      stored: displayCount(counter(counterName.fieldStored(field))),
      purposes: covering.map((p) => p.id),
      consentedPercent: share(consented, users),
      consentedPercentIsLowerBound: covering.length > 1,
      withoutLiveConsent: displayCount(check.withoutLiveConsent[field] ?? 0),
      pastRetention: displayCount(retention.perField.get(field) ?? 0),
    };
  });

  const purposeRows = [];
  for (const p of purposes) {
    const stale = await countOtherThan(client, "consent_states", "purpose_version", p.version, "purpose_id = ?", [p.id]);
    purposeRows.push({
      id: p.id,
      title: p.title,
      required: p.required,
      fields: [...p.fields],
      retentionDays: p.retentionDays,
      versionInForce: p.version,
      activeConsents: displayCount(activeOf(p.id)),
      activePercent: share(activeOf(p.id), users),
      awaitingReconsent: displayCount(stale),
      activity: activity.series(p.id),
    });
  }

  const currentKey = env().masterKeys[0]!.id;
  const onOlderKeys = await countOtherThan(client, "users", "wrap_key_id", currentKey, "1 = 1", []);
  const interval = env().purgeIntervalMinutes;
  const lastPurgeAt = lastPurge ? new Date(lastPurge.finishedAt ?? lastPurge.startedAt) : null;
  const pastRetentionTotal = [...retention.perField.values()].reduce((a, b) => a + b, 0);

  return {
    generatedAt: now.toISOString(),
    users: displayCount(users),
    droppedWrites: displayCount(counter(counterName.droppedWrites)),
    unknownFieldsStored: displayCount(unknownFields),
    consentCheck: {
      checkedAt: check.checkedAt.toISOString(),
      finishedAt: check.finishedAt.toISOString(),
      valuesChecked: displayCount(check.valuesChecked),
      overdue: now.getTime() - check.checkedAt.getTime() > (interval > 0 ? 2 * interval * 60_000 : DAY_MS),
    },
    fields,
    purposes: purposeRows,
    activity: activity.series("*"),
    retention: {
      pastRetentionTotal: displayCount(pastRetentionTotal),
      dormantAccounts: displayCount(retention.dormantAccounts),
      lastPurge,
      // A purge that has never run is due at its first interval after start; shown as unknown.
      nextPurgeAt: interval > 0 && lastPurgeAt ? new Date(Math.max(lastPurgeAt.getTime() + interval * 60_000, now.getTime())).toISOString() : null,
      purgeIntervalMinutes: interval,
    },
    erasures: { total: displayCount(counter(counterName.erasures)), ...activity.erasures },
    keys: { currentKeyId: currentKey, currentPercent: share(Math.max(0, users - onOlderKeys), users), usersOnOlderKeys: displayCount(onOlderKeys) },
  };
}

export type ReportChannel = "page" | "json" | "csv";

/** The report, with the viewing recorded first (who and when; never any of the report's content). */
export async function viewMinimizationReport(adminUserId: string, channel: ReportChannel): Promise<MinimizationReport> {
  await recordAudit(await db(), "admin.report_viewed", adminUserId, { channel });
  return getMinimizationReport();
}

/** A signed-in user who is not an admin tried an admin page or route. */
export async function recordAdminRefusal(userId: string, channel: ReportChannel | "action"): Promise<void> {
  await recordAudit(await db(), "admin.refused", userId, { channel });
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  // Quote everything that could break a row; a leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The same report as long-format CSV: one number per row, so spreadsheets can pivot it. */
export function reportToCsv(r: MinimizationReport): string {
  const rows: unknown[][] = [["section", "item", "measure", "period", "value"]];
  rows.push(["summary", "", "generated_at", "", r.generatedAt], ["summary", "", "users", "", r.users], ["summary", "", "dropped_writes", "", r.droppedWrites], ["summary", "", "unknown_fields_stored", "", r.unknownFieldsStored]);
  rows.push(
    ["summary", "", "consent_check_checked_at", "", r.consentCheck.checkedAt],
    ["summary", "", "consent_check_finished_at", "", r.consentCheck.finishedAt],
    ["summary", "", "consent_check_values_checked", "", r.consentCheck.valuesChecked],
    ["summary", "", "consent_check_overdue", "", r.consentCheck.overdue],
  );
  for (const f of r.fields) {
    rows.push(["field", f.field, "stored", "", f.stored], ["field", f.field, "purposes", "", f.purposes.join(" ")], ["field", f.field, "consented_percent", "", f.consentedPercent ?? SUPPRESSED]);
    rows.push(["field", f.field, "without_live_consent", "", f.withoutLiveConsent], ["field", f.field, "past_retention", "", f.pastRetention]);
  }
  for (const p of r.purposes) {
    rows.push(["purpose", p.id, "version_in_force", "", p.versionInForce], ["purpose", p.id, "active_consents", "", p.activeConsents], ["purpose", p.id, "awaiting_reconsent", "", p.awaitingReconsent]);
    for (const [unit, list] of [["day", p.activity.days], ["week", p.activity.weeks]] as const) {
      for (const a of list) rows.push(["purpose", p.id, `granted_per_${unit}`, a.period, a.granted], ["purpose", p.id, `withdrawn_per_${unit}`, a.period, a.withdrawn]);
    }
  }
  for (const [unit, list] of [["day", r.activity.days], ["week", r.activity.weeks]] as const) {
    for (const a of list) rows.push(["activity", "all", `granted_per_${unit}`, a.period, a.granted], ["activity", "all", `withdrawn_per_${unit}`, a.period, a.withdrawn]);
  }
  rows.push(["retention", "", "past_retention_total", "", r.retention.pastRetentionTotal], ["retention", "", "dormant_accounts", "", r.retention.dormantAccounts]);
  rows.push(["retention", "", "next_purge_at", "", r.retention.nextPurgeAt ?? ""], ["retention", "", "last_purge_started_at", "", r.retention.lastPurge?.startedAt ?? ""]);
  for (const [k, v] of Object.entries(r.retention.lastPurge?.counts ?? {})) rows.push(["retention", k, "last_purge_count", "", v]);
  rows.push(["erasures", "", "total", "", r.erasures.total]);
  for (const w of r.erasures.weeks) rows.push(["erasures", "", "erased_per_week", w.period, w.erased]);
  for (const m of r.erasures.months) rows.push(["erasures", "", "erased_per_month", m.period, m.erased]);
  rows.push(["keys", r.keys.currentKeyId, "current_percent", "", r.keys.currentPercent ?? SUPPRESSED], ["keys", r.keys.currentKeyId, "users_on_older_keys", "", r.keys.usersOnOlderKeys]);
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
