import "server-only";
// What the report counts, read exactly; suppression.ts decides what of it is published.
//
// Cost: everything the request reads is read from counters and daily_stats (maintained in the same
// transactions as the changes they count), from index range scans whose size is the number of
// problems found (overdue values, stale decisions, users on an old master key), from the ledger's
// records of the last 12 weeks, once a day (readActivity), or from the stored result of the
// "stored without live consent" check, which must not trust the code or the counters it audits and
// so looks at every stored value: it runs beside the purge, not here (lib/data/consent-check.ts).
// See docs/decisions/005-admin-report-cost.md.
import { catalogue } from "../../domain/catalogue";
import { inReadSnapshot } from "../direct-read";
import { env } from "../../core/env";
import { FIELD_IDS } from "../../domain/fields";
import { LEDGER_VERIFY_JOB } from "../ledger";
import {
  CONSENT_CHECK_JOB,
  consentCheckRunsQuery,
  newestConsentCheck,
  runConsentCheck,
  type ConsentCheckResult,
} from "../consent-check";
import { countAll, sqlTime, timeOf, timeParam, toCount, type CountQuery, type RowReader } from "../sql";
import { counterName, utcDay } from "../stats";
import { firstDayOfLastWeeks, isoWeek, lastDays, lastMonths, lastWeeks } from "./periods";
import { telegramIdIndexes } from "../vault";
import { ACTIVITY_DAYS, ACTIVITY_WEEKS, ERASURE_MONTHS } from "./types";

const DAY_MS = 86_400_000;

type Tally = Map<string, number>;
const add = (t: Tally, k: string, v: number) => t.set(k, (t.get(k) ?? 0) + v);

async function readCounters(read: RowReader): Promise<(name: string) => number> {
  const rows = await read<{ name: string; value: unknown }>(`SELECT "name", "value" FROM "counters"`);
  const byName = new Map(rows.map((r) => [r.name, toCount(r.value)]));
  return (name) => byName.get(name) ?? 0;
}

/**
 * Values under a field name the app does not know: they have no consent by definition. Counted
 * live, as range scans in the gaps between the known names on user_fields(field, ...), so the cost
 * is the number of such values (readFacts adds up the counts).
 */
const unknownFieldGaps = () => outsideOf("user_fields", "field", [...FIELD_IDS].sort(), "1 = 1", []);
const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);

/**
 * Stored values older than their retention, per field. The range scan on (field, updated_at) reads
 * only values older than the shortest retention of the purposes covering the field; each is kept
 * only if the user granted a covering lasting purpose whose retention still allows it: exactly what
 * the next purge erases. For the account purpose the clock is the last sign-in, counted on users.
 */
export async function countPastRetention(
  read: RowReader,
  now: Date,
): Promise<{ perField: Map<string, number>; dormantAccounts: number }> {
  const queries: { field: string; account: boolean; query: CountQuery }[] = [];
  for (const field of FIELD_IDS) {
    const covering = catalogue().filter((p) => p.fields.includes(field));
    if (covering.length === 0) continue;
    if (covering.some((p) => p.required)) {
      const account = covering.find((p) => p.required)!;
      const sql = `SELECT COUNT(*) AS n FROM users WHERE last_sign_in_at < ${timeParam()}`;
      const params = [sqlTime(new Date(now.getTime() - account.retentionDays * DAY_MS))];
      queries.push({ field, account: true, query: { sql, params } });
      continue;
    }
    // The purge's rule (lib/data/purge.ts): only a lasting purpose keeps a value. A one-time purpose
    // (phone_verification) uses the value once and keeps nothing, so a value it alone covers is overdue.
    const keepers = covering.filter((p) => !p.oneTime);
    if (keepers.length === 0) {
      const sql = `SELECT COUNT(*) AS n FROM user_fields WHERE field = ?`;
      queries.push({ field, account: false, query: { sql, params: [field] } });
      continue;
    }
    const cutoff = (days: number) => sqlTime(new Date(now.getTime() - days * DAY_MS));
    const shortest = Math.min(...keepers.map((p) => p.retentionDays));
    const stillAllowed = keepers.map(() => `(cs.purpose_id = ? AND uf.updated_at >= ${timeParam()})`).join(" OR ");
    // A scalar subquery, not NOT EXISTS: PostgreSQL turns NOT EXISTS into an anti-join and, once
    // overdue values are many, hashes every granted consent of the purpose (linear in users); a
    // scalar subquery stays a primary-key probe of consent_states per overdue value on both databases.
    const sql = `SELECT COUNT(*) AS n FROM user_fields uf
       WHERE uf.field = ? AND uf.updated_at < ${timeParam()}
         AND (
           SELECT 1 FROM consent_states cs
           WHERE cs.user_id = uf.user_id AND cs.granted = TRUE AND (${stillAllowed})
           LIMIT 1
         ) IS NULL`;
    const params = [field, cutoff(shortest), ...keepers.flatMap((p) => [p.id, cutoff(p.retentionDays)])];
    queries.push({ field, account: false, query: { sql, params } });
  }
  const counts = await countAll(
    read,
    queries.map((q) => q.query),
  );
  const perField = new Map(queries.map((q, i) => [q.field, counts[i]!]));
  const accountIndex = queries.findIndex((q) => q.account);
  return { perField, dormantAccounts: accountIndex >= 0 ? counts[accountIndex]! : 0 };
}

/**
 * Rows whose column differs from one value, as two index range scans (below and above it), so the
 * cost is the number of differing rows, not the size of the table. Add up the two counts.
 */
export function otherThan(
  table: "users",
  column: string,
  value: string,
  where: string,
  params: unknown[],
): CountQuery[] {
  return ["<", ">"].map((op) => ({
    sql: `SELECT COUNT(*) AS n FROM ${table} WHERE ${where} AND ${column} ${op} ?`,
    params: [...params, value],
  }));
}

/**
 * Rows whose column holds none of the (sorted) values, as range scans in the gaps between them, so
 * the cost is the number of such rows. `NOT IN` would read every row of the range (at a million
 * people, millions of index entries). Add up the counts.
 */
export function outsideOf(
  table: "user_fields",
  column: string,
  sorted: string[],
  where: string,
  params: unknown[],
): CountQuery[] {
  const count = (gap: string, values: string[]) => ({
    sql: `SELECT COUNT(*) AS n FROM ${table} WHERE ${where} AND ${gap}`,
    params: [...params, ...values],
  });
  return [
    count(`${column} < ?`, [sorted[0]!]),
    ...sorted.slice(1).map((v, i) => count(`${column} > ? AND ${column} < ?`, [sorted[i]!, v])),
    count(`${column} > ?`, [sorted.at(-1)!]),
  ];
}

/**
 * Exact activity over the CLOSED periods the report shows (docs/decisions/010, "The report's own
 * reader"): grants and withdrawals count distinct people per purpose and period, read from the
 * consent ledger, which is append-only and stamped with the time of writing, so a period that has
 * ended can no longer change, whatever anyone (the admin reading the report included) does now.
 * Erasures are one per person already and come from the daily stats, also for closed periods only.
 */
export type ActivityFacts = {
  days: string[];
  weeks: string[];
  months: string[];
  /** Scope a purpose id or "*" (people with that decision on any purpose; "*" only for erased). */
  count: (scope: string, metric: "granted" | "withdrawn" | "erased", period: string) => number;
  /** Erasures on or after the first open day (today, UTC): left out of the published total. */
  erasedInOpenPeriod: number;
};

/** The last closed day (yesterday, UTC), the last closed ISO week and the last closed month. */
export function closedPeriodsBefore(now: Date): { lastDay: Date; lastWeekDay: Date; lastMonthDay: Date } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monday = today - ((now.getUTCDay() + 6) % 7) * DAY_MS;
  const firstOfMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  return {
    lastDay: new Date(today - DAY_MS),
    lastWeekDay: new Date(monday - DAY_MS),
    lastMonthDay: new Date(firstOfMonth - DAY_MS),
  };
}

/**
 * The people counts of the closed periods, and the ledger they were counted from: the newest record
 * stamped before today, whose hash chains over every record before it. A period that has ended can
 * no longer change (above), so while that record is the same, so are the counts: the report reads
 * the window of about 12 weeks of ledger once a day instead of on every request (at 10,000 people,
 * most of the report's cost). A record that lands late in a closed day (its transaction committed
 * after midnight), a restored backup or another database all show as another newest record.
 */
let closedActivity: { day: string; head: string; people: Map<string, number> } | null = null;

/** The newest ledger record stamped before `day`, as "seq:hash" ("" for none): one index probe from the end. */
async function closedLedgerHead(read: RowReader, day: string): Promise<string> {
  const [row] = await read<{ seq: unknown; hash: string }>(
    `SELECT seq, hash FROM consent_records WHERE at < ${timeParam()} ORDER BY seq DESC LIMIT 1`,
    [sqlTime(new Date(`${day}T00:00:00Z`))],
  );
  return row ? `${String(row.seq)}:${row.hash}` : "";
}

/** Distinct people per "scope|decision|period" over the closed periods from `from` to `today`. */
async function countActivityPeople(read: RowReader, from: string, today: string): Promise<Map<string, number>> {
  // Ledger records of the window: the activity of about 12 weeks, not the whole ledger. One range
  // scan of consent_records(purpose_id, at) per purpose; a scan on `at` alone has no index to use.
  const window = [sqlTime(new Date(`${from}T00:00:00Z`)), sqlTime(new Date(`${today}T00:00:00Z`))];
  const records = (
    await Promise.all(
      catalogue().map((p) =>
        read<{ subject_id: string; purpose_id: string; decision: string; at: unknown }>(
          `SELECT "subject_id", "purpose_id", "decision", "at" FROM "consent_records" WHERE "purpose_id" = ? AND "at" >= ${timeParam()} AND "at" < ${timeParam()} AND "decision" IN ('granted', 'withdrawn')`,
          [p.id, ...window],
        ),
      ),
    )
  )
    .flat()
    .map((r) => ({ subjectId: r.subject_id, purposeId: r.purpose_id, decision: r.decision, at: timeOf(r.at) }));
  const people = new Map<string, Set<string>>();
  const see = (k: string, subject: string) => {
    let s = people.get(k);
    if (!s) people.set(k, (s = new Set()));
    s.add(subject);
  };
  // Many records share a day: its ISO week is worked out once per day, not once per record.
  const weekOf = new Map<string, string>();
  for (const r of records) {
    const day = utcDay(r.at);
    let week = weekOf.get(day);
    if (week === undefined) weekOf.set(day, (week = isoWeek(day)));
    for (const scope of [r.purposeId, "*"]) {
      see(`${scope}|${r.decision}|${day}`, r.subjectId);
      see(`${scope}|${r.decision}|${week}`, r.subjectId);
    }
  }
  return new Map([...people].map(([k, s]) => [k, s.size]));
}

export async function readActivity(read: RowReader, now: Date): Promise<ActivityFacts> {
  const closed = closedPeriodsBefore(now);
  const days = lastDays(closed.lastDay, ACTIVITY_DAYS);
  const weeks = lastWeeks(closed.lastWeekDay, ACTIVITY_WEEKS);
  const months = lastMonths(closed.lastMonthDay, ERASURE_MONTHS);
  const today = utcDay(now);
  const firstWeekDay = firstDayOfLastWeeks(closed.lastWeekDay, ACTIVITY_WEEKS);
  const from = [firstWeekDay, days[0]!].sort()[0]!;
  const head = await closedLedgerHead(read, today);
  if (closedActivity?.day !== today || closedActivity.head !== head)
    closedActivity = { day: today, head, people: await countActivityPeople(read, from, today) };
  const people = closedActivity.people;
  const erased = (
    await read<{ day: string; value: unknown }>(
      `SELECT day, value FROM daily_stats WHERE metric = 'erased' AND day >= ?`,
      [`${months[0]}-01`],
    )
  ).map((r) => ({ day: r.day, value: toCount(r.value) }));
  const erasures: Tally = new Map();
  let erasedInOpenPeriod = 0;
  for (const r of erased) {
    if (r.day >= today) {
      erasedInOpenPeriod += r.value;
      continue;
    }
    add(erasures, isoWeek(r.day), r.value);
    add(erasures, r.day.slice(0, 7), r.value);
  }
  // Only closed periods are published: a week or month that is still open reads as absent (0).
  const closedWeeks = new Set(weeks);
  const closedMonths = new Set(months);
  return {
    days,
    weeks,
    months,
    erasedInOpenPeriod,
    count: (scope, metric, period) => {
      if (metric === "erased")
        return closedWeeks.has(period) || closedMonths.has(period) ? (erasures.get(period) ?? 0) : 0;
      return people.get(`${scope}|${metric}|${period}`) ?? 0;
    },
  };
}

/**
 * The admins' own live records: their accounts, granted purposes and stored values. The report
 * leaves them out of its live counts, so an admin who grants, withdraws, erases or signs up again
 * on their own account cannot move a published figure to difference the others out of it
 * (docs/decisions/010). Admins are recognised the way the admin check does (isAdmin in
 * lib/web/session.ts): by the blind index of a Telegram id in ADMIN_TELEGRAM_IDS.
 */
export type AdminOwn = { accounts: number; granted: Tally; stored: Tally };

export async function readAdminOwn(read: RowReader): Promise<AdminOwn> {
  const indexes = env().adminTelegramIds.flatMap((id) => telegramIdIndexes(id));
  const own: AdminOwn = { accounts: 0, granted: new Map(), stored: new Map() };
  if (indexes.length === 0) return own;
  // Their accounts, granted purposes and stored fields, one row each, in one statement.
  const isAdmin = `"u"."telegram_id_index" IN (${indexes.map(() => "?").join(", ")})`;
  const admins = `JOIN "users" AS "u" ON "u"."id" = "x"."user_id" WHERE ${isAdmin}`;
  const rows = await read<{ k: string; v: string }>(
    `SELECT 'a' AS "k", "u"."id" AS "v" FROM "users" AS "u" WHERE ${isAdmin}
     UNION ALL SELECT 'g', "x"."purpose_id" FROM "consent_states" AS "x" ${admins} AND "x"."granted" = TRUE
     UNION ALL SELECT 'f', "x"."field" FROM "user_fields" AS "x" ${admins}`,
    [...indexes, ...indexes, ...indexes],
  );
  for (const r of rows) {
    if (r.k === "a") own.accounts += 1;
    else add(r.k === "g" ? own.granted : own.stored, r.v, 1);
  }
  return own;
}

export type PurgeFacts = { startedAt: Date; finishedAt: Date | null; counts: Record<string, number> };

type JobRunRow = { job: string; started_at: unknown; finished_at: unknown; result: string | null };

/**
 * The newest run of each job (an index probe of job_runs(job, started_at) each), and the consent
 * check's last finished runs (lib/data/consent-check.ts chooses among them), in one statement.
 */
async function readLastRuns(read: RowReader, jobs: readonly string[]): Promise<Map<string, JobRunRow[]>> {
  const checks = consentCheckRunsQuery();
  const rows = await read<JobRunRow>(
    [
      ...jobs.map(
        (_, i) =>
          `SELECT * FROM (SELECT "job", "started_at", "finished_at", "result" FROM "job_runs" WHERE "job" = ? ORDER BY "started_at" DESC LIMIT 1) AS "j${i}"`,
      ),
      `SELECT * FROM (${checks.sql}) AS "checks"`,
    ].join(" UNION ALL "),
    [...jobs, ...checks.params],
  );
  const byJob = new Map<string, JobRunRow[]>();
  for (const r of rows) byJob.set(r.job, [...(byJob.get(r.job) ?? []), r]);
  return byJob;
}

function lastPurgeOf(run: JobRunRow | undefined): PurgeFacts | null {
  if (!run) return null;
  const counts: Record<string, number> = {};
  try {
    const parsed: unknown = run.result ? JSON.parse(run.result) : {};
    // Only numbers are taken over: the result is another job's text and the report stays numbers-only.
    if (parsed && typeof parsed === "object") {
      for (const [k, v] of Object.entries(parsed))
        if (typeof v === "number" && Number.isFinite(v) && /^[a-z0-9_.:-]{1,60}$/i.test(k)) counts[k] = v;
    }
  } catch {
    /* an unreadable result shows as no counts */
  }
  return { startedAt: timeOf(run.started_at), finishedAt: finishedAt(run), counts };
}

const finishedAt = (run: JobRunRow) => (run.finished_at === null ? null : timeOf(run.finished_at));

export type LedgerCheckFacts = {
  startedAt: Date;
  finishedAt: Date | null;
  chainIntact: boolean;
  records: number;
  states: number;
  decisions: number;
  problems: number;
};

/** The last `npm run ledger:verify` run (lib/data/ledger.ts records it), numbers only. */
function lastLedgerCheckOf(run: JobRunRow | undefined): LedgerCheckFacts | null {
  if (!run) return null;
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = run.result ? JSON.parse(run.result) : {};
    if (value && typeof value === "object") parsed = value as Record<string, unknown>;
  } catch {
    /* an unreadable result shows as a failed check */
  }
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  return {
    startedAt: timeOf(run.started_at),
    finishedAt: finishedAt(run),
    chainIntact: parsed.chainIntact === true,
    records: num(parsed.records),
    states: num(parsed.states),
    decisions: num(parsed.decisions),
    // A result that cannot be read is not evidence of consistency.
    problems: typeof parsed.problems === "number" ? parsed.problems : 1,
  };
}

/**
 * Decisions made on an older text than the one in force, per purpose. A decision is current when its
 * version is the current one of the language it was made in: per language, two range scans of
 * consent_states(purpose_id, locale, purpose_version) below and above that version; for decisions in
 * a language the purpose no longer has a text for, range scans in the gaps between the languages it
 * has. So the cost is the number of stale decisions, not of decisions.
 *
 * One statement whose few subqueries take their bounds from the rows of a VALUES list: PostgreSQL
 * plans each subquery once and runs it per row. Written as one scalar subquery per range (80 of
 * them), planning alone took about 6 ms of the database's CPU on every view of the report, more than
 * running it (docs/measurements/pages-cost-log.md).
 */
async function countStaleDecisions(read: RowReader): Promise<Map<string, number>> {
  type Row = readonly [purpose: string, a: string | null, b: string | null];
  // Per purpose: each language with the version in force in it (a range on either side of the
  // version), and the gaps between its languages (the first open below, the last open above).
  const versions: Row[] = [];
  const firstGaps: Row[] = [];
  const middleGaps: Row[] = [];
  const lastGaps: Row[] = [];
  for (const p of catalogue()) {
    const locales = Object.keys(p.versions).sort();
    for (const locale of locales) versions.push([p.id, locale, p.versions[locale as keyof typeof p.versions]!.version]);
    firstGaps.push([p.id, null, locales[0]!]);
    locales.slice(1).forEach((l, i) => middleGaps.push([p.id, locales[i]!, l]));
    lastGaps.push([p.id, locales.at(-1)!, null]);
  }
  const parts: { rows: Row[]; count: string }[] = [
    {
      rows: versions,
      // a: the language, b: the version in force in it.
      count: `(SELECT COUNT(*) FROM consent_states cs WHERE cs.purpose_id = r.p AND cs.locale = r.a AND cs.purpose_version < r.b)
        + (SELECT COUNT(*) FROM consent_states cs WHERE cs.purpose_id = r.p AND cs.locale = r.a AND cs.purpose_version > r.b)`,
    },
    {
      // b: the purpose's first language; then a and b: two languages next to each other; then a: its last.
      rows: firstGaps,
      count: `(SELECT COUNT(*) FROM consent_states cs WHERE cs.purpose_id = r.p AND cs.locale < r.b)`,
    },
    {
      rows: middleGaps,
      count: `(SELECT COUNT(*) FROM consent_states cs WHERE cs.purpose_id = r.p AND cs.locale > r.a AND cs.locale < r.b)`,
    },
    {
      rows: lastGaps,
      count: `(SELECT COUNT(*) FROM consent_states cs WHERE cs.purpose_id = r.p AND cs.locale > r.a)`,
    },
  ].filter((part) => part.rows.length > 0);
  // CTEs with named columns (SQLite names a bare VALUES list's columns column1, column2, ...); the
  // casts give PostgreSQL the types of parameters it would otherwise take as unknown.
  const values = (rows: Row[]) => rows.map(() => "(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT))").join(", ");
  const sql =
    `WITH ${parts.map((part, i) => `r${i}(p, a, b) AS (VALUES ${values(part.rows)})`).join(", ")} ` +
    parts.map((part, i) => `SELECT r.p AS "purpose", ${part.count} AS "n" FROM r${i} AS r`).join(" UNION ALL ");
  const rows = await read<{ purpose: string; n: unknown }>(
    sql,
    parts.flatMap((part) => part.rows.flat()),
  );
  const stale = new Map(catalogue().map((p) => [p.id, 0]));
  for (const r of rows) stale.set(r.purpose, (stale.get(r.purpose) ?? 0) + toCount(r.n));
  return stale;
}

/** Everything the report shows, exactly as stored: never published as such (see suppression.ts). */
export type ReportFacts = {
  users: number;
  droppedWrites: number;
  unknownFields: number;
  erasures: number;
  purposeActive: (purposeId: string) => number;
  fieldStored: (field: string) => number;
  /** Decisions per purpose made on an older text than the one in force. */
  awaitingReconsent: Map<string, number>;
  pastRetention: Map<string, number>;
  dormantAccounts: number;
  usersOnOlderKeys: number;
  activity: ActivityFacts;
  lastPurge: PurgeFacts | null;
  lastLedgerCheck: LedgerCheckFacts | null;
  /** The no-live-consent check's last stored result; null on a database never checked. */
  consentCheck: ConsentCheckResult | null;
};

export async function readFacts(read: RowReader, now: Date): Promise<ReportFacts> {
  // The values under unknown field names and the users on an older master key, in one statement.
  const unknownGaps = unknownFieldGaps();
  const olderKeys = otherThan("users", "wrap_key_id", env().masterKeys[0]!.id, "1 = 1", []);
  const [counter, counts, awaitingReconsent, retention, activity, runs, own] = await Promise.all([
    readCounters(read),
    countAll(read, [...unknownGaps, ...olderKeys]),
    countStaleDecisions(read),
    countPastRetention(read, now),
    readActivity(read, now),
    readLastRuns(read, ["purge", LEDGER_VERIFY_JOB]),
    readAdminOwn(read),
  ]);
  const lastPurge = lastPurgeOf(runs.get("purge")?.[0]);
  const lastLedgerCheck = lastLedgerCheckOf(runs.get(LEDGER_VERIFY_JOB)?.[0]);
  const unknownFields = sum(counts.slice(0, unknownGaps.length));
  const usersOnOlderKeys = sum(counts.slice(unknownGaps.length));
  return {
    // The live counts below leave the admins' own accounts out (readAdminOwn); the erasures total
    // leaves out the open day, like the activity it adds up to.
    users: Math.max(0, counter(counterName.users) - own.accounts),
    droppedWrites: counter(counterName.droppedWrites),
    unknownFields,
    erasures: Math.max(0, counter(counterName.erasures) - activity.erasedInOpenPeriod),
    purposeActive: (id) => Math.max(0, counter(counterName.purposeActive(id)) - (own.granted.get(id) ?? 0)),
    fieldStored: (field) => Math.max(0, counter(counterName.fieldStored(field)) - (own.stored.get(field) ?? 0)),
    awaitingReconsent,
    pastRetention: retention.perField,
    dormantAccounts: retention.dormantAccounts,
    usersOnOlderKeys,
    activity,
    lastPurge,
    lastLedgerCheck,
    consentCheck: newestConsentCheck(runs.get(CONSENT_CHECK_JOB) ?? []),
  };
}

/**
 * The report's reads (in one snapshot on PostgreSQL), on the driver, with the consent check's last
 * result (run once if never run).
 */
export async function readReportFacts(now: Date): Promise<{ facts: ReportFacts; check: ConsentCheckResult }> {
  // Every query here is an index range scan over the problems it counts, usually a few pages. At a
  // million users PostgreSQL's estimates for some of them reach hundreds of thousands of rows (it
  // takes purpose_id and purpose_version as independent, so "another version of this purpose"
  // looks like a third of the table), and it then starts parallel workers and JIT-compiles the
  // plan: 50-100 ms per query for a scan that reads three pages, a dozen times per report. Neither
  // can help a query this small, so the report turns both off for its own transaction only.
  // On PostgreSQL, SET LOCAL of both, in one statement (nothing on SQLite, which has neither).
  const facts = await inReadSnapshot(
    "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)",
    (read) => readFacts(read, now),
  );
  // After the snapshot, not in it: on a database never checked this runs the check (seconds).
  return { facts, check: facts.consentCheck ?? (await runConsentCheck()) };
}
