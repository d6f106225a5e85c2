import "server-only";
// The independent check behind the admin report's "values stored without a live consent": every
// stored value, per field, against the granted consents on the purposes that cover the field.
//
// It exists to catch a bug in the code that enforces minimization and keeps the counters
// (lib/data/vault.ts), so it reads neither that code nor the counters: coverage comes from the
// catalogue as data, and the counting is SQL over user_fields and consent_states. Proving that
// every value has a covering grant means looking at every value, so the check is linear in the
// stored values. That is why it is not part of the report request: it runs with the purge (before
// it, so the purge cannot hide what the check would have found), by `npm run consent:check`, and
// once from the report on a database that has never been checked. Its result is kept in job_runs
// with the time it ran, and the report shows that time. See docs/decisions/005-admin-report-cost.md.
import { catalogue } from "../domain/catalogue";
import { db, type Db } from "./db";
import { env } from "../core/env";
import { FIELD_IDS, type FieldId } from "../domain/fields";
import { queryRows, timeOf, toCount } from "./sql";

export const CONSENT_CHECK_JOB = "consent_check";
// Values per query. On SQLite the driver is synchronous, so a query holds the server's event loop
// for its whole run: chunks keep each pause to milliseconds when the check runs inside the app.
// Each chunk is a range of user ids, so its cost is the chunk's size, whatever the table's.
const CHUNK = 10_000;

export type ConsentCheckResult = {
  /** When the check started: every value stored before then and still there when its chunk ran was looked at. */
  checkedAt: Date;
  finishedAt: Date;
  valuesChecked: number;
  /** Per known field, stored values whose user has no granted purpose covering the field. */
  withoutLiveConsent: Record<FieldId, number>;
};

/** The storage gate's rule (fieldsCoveredBy): a one-time purpose uses a value once and never covers storing it. */
function coveringPurposes(field: FieldId): string[] {
  return catalogue()
    .filter((p) => !p.oneTime && (p.fields as readonly string[]).includes(field))
    .map((p) => p.id);
}

/** Counts one field's values with user_id in (after, upTo] (no upper bound when upTo is null). */
async function countChunk(
  client: Db,
  field: FieldId,
  covering: string[],
  after: string,
  upTo: string | null,
): Promise<{ values: number; without: number }> {
  const range = (col: string) => `${col} > ?${upTo === null ? "" : ` AND ${col} <= ?`}`;
  const bounds = upTo === null ? [after] : [after, upTo];
  const [all] = await queryRows<{ n: unknown }>(
    client,
    `SELECT COUNT(*) AS n FROM user_fields uf WHERE uf.field = ? AND ${range("uf.user_id")}`,
    [field, ...bounds],
  );
  const values = toCount(all?.n);
  if (covering.length === 0 || values === 0) return { values, without: values };
  // Both sides are index-only range scans of the same user ids: (field, user_id) and
  // (purpose_id, granted, user_id). The consent side repeats the range because neither planner
  // carries a range across the join; without it PostgreSQL hashed every granted consent per chunk.
  // SQLite runs NOT IN as one pass building an in-memory set (a correlated NOT EXISTS fetched a
  // table row per value, 10x slower); PostgreSQL plans NOT EXISTS as an anti-join.
  const granted = `SELECT cs.user_id FROM consent_states cs WHERE cs.purpose_id IN (${covering.map(() => "?").join(", ")}) AND cs.granted = TRUE AND ${range("cs.user_id")}`;
  const sql =
    env().databaseKind === "postgres"
      ? `SELECT COUNT(*) AS n FROM user_fields uf WHERE uf.field = ? AND ${range("uf.user_id")} AND NOT EXISTS (${granted} AND cs.user_id = uf.user_id)`
      : `SELECT COUNT(*) AS n FROM user_fields uf WHERE uf.field = ? AND ${range("uf.user_id")} AND uf.user_id NOT IN (${granted})`;
  const [row] = await queryRows<{ n: unknown }>(client, sql, [field, ...bounds, ...covering, ...bounds]);
  return { values, without: toCount(row?.n) };
}

/**
 * Stored values per field whose user has no granted consent on a purpose covering the field, in
 * chunks of user ids in key order (so consecutive probes land on neighbouring index pages). A
 * field no purpose covers counts every stored value of it.
 */
export async function countStoredWithoutConsent(
  client: Db,
  chunk = CHUNK,
): Promise<Omit<ConsentCheckResult, "checkedAt" | "finishedAt">> {
  const withoutLiveConsent = {} as Record<FieldId, number>;
  let valuesChecked = 0;
  for (const field of FIELD_IDS) {
    const covering = coveringPurposes(field);
    let without = 0;
    // User ids are never empty, so "" is below all of them.
    for (let after = ""; ;) {
      const [edge] = await queryRows<{ user_id: string }>(
        client,
        `SELECT user_id FROM user_fields WHERE field = ? AND user_id > ? ORDER BY user_id LIMIT 1 OFFSET ${chunk - 1}`,
        [field, after],
      );
      const upTo = edge?.user_id ?? null;
      const counts = await countChunk(client, field, covering, after, upTo);
      valuesChecked += counts.values;
      without += counts.without;
      if (upTo === null) break;
      after = upTo;
      // Let requests in between chunks (see CHUNK).
      await new Promise((resolve) => setImmediate(resolve));
    }
    withoutLiveConsent[field] = without;
  }
  return { valuesChecked, withoutLiveConsent };
}

/** Runs the check and keeps its result (counts only) with its time, for the report. */
export async function runConsentCheck(): Promise<ConsentCheckResult> {
  const client = await db();
  const checkedAt = new Date();
  const run = await client.jobRun.create({ data: { job: CONSENT_CHECK_JOB, startedAt: checkedAt } });
  try {
    const counts = await countStoredWithoutConsent(client);
    const finishedAt = new Date();
    await client.jobRun.update({ where: { id: run.id }, data: { finishedAt, result: JSON.stringify(counts) } });
    return { checkedAt, finishedAt, ...counts };
  } catch (e) {
    await client.jobRun.update({
      where: { id: run.id },
      data: { finishedAt: new Date(), result: JSON.stringify({ failed: true }) },
    });
    throw e;
  }
}

function parseResult(text: string | null): Omit<ConsentCheckResult, "checkedAt" | "finishedAt"> | null {
  try {
    const parsed = JSON.parse(text ?? "null") as {
      valuesChecked?: unknown;
      withoutLiveConsent?: Record<string, unknown>;
      failed?: unknown;
    } | null;
    if (
      !parsed ||
      parsed.failed ||
      typeof parsed.valuesChecked !== "number" ||
      typeof parsed.withoutLiveConsent !== "object" ||
      parsed.withoutLiveConsent === null
    )
      return null;
    const withoutLiveConsent = {} as Record<FieldId, number>;
    for (const field of FIELD_IDS) {
      const n = parsed.withoutLiveConsent[field];
      // A field added to the code after this check had no stored value when it ran.
      withoutLiveConsent[field] = typeof n === "number" && Number.isFinite(n) ? n : 0;
    }
    return { valuesChecked: parsed.valuesChecked, withoutLiveConsent };
  } catch {
    return null;
  }
}

/** A run of the check as read from job_runs: the columns newestConsentCheck needs. */
export type ConsentCheckRun = { started_at: unknown; finished_at: unknown; result: string | null };

/**
 * The newest finished runs of the check, a few rows of job_runs(job, started_at) at most. The admin
 * report adds this to its own read of job runs (lib/data/report/queries.ts), so that it costs no
 * statement of its own; newestConsentCheck chooses among them.
 */
export function consentCheckRunsQuery(): { sql: string; params: string[] } {
  return {
    sql: `SELECT "job", "started_at", "finished_at", "result" FROM "job_runs" WHERE "job" = ? AND "finished_at" IS NOT NULL ORDER BY "started_at" DESC LIMIT 10`,
    params: [CONSENT_CHECK_JOB],
  };
}

/** The newest successful check among `runs`, or null: a failed run's result is not one. */
export function newestConsentCheck(runs: readonly ConsentCheckRun[]): ConsentCheckResult | null {
  // Newest first whatever order they came in (the report's UNION ALL promises none).
  const newestFirst = [...runs].sort((a, b) => timeOf(b.started_at).getTime() - timeOf(a.started_at).getTime());
  for (const run of newestFirst) {
    const result = parseResult(run.result);
    if (result) return { checkedAt: timeOf(run.started_at), finishedAt: timeOf(run.finished_at), ...result };
  }
  return null;
}

/** One line for the command line: counts and field names only. */
export function describeConsentCheck(check: ConsentCheckResult): string {
  const found = Object.entries(check.withoutLiveConsent).filter(([, n]) => n > 0);
  const total = found.reduce((a, [, n]) => a + n, 0);
  const seconds = ((check.finishedAt.getTime() - check.checkedAt.getTime()) / 1000).toFixed(1);
  return `consent check: ${check.valuesChecked} stored values checked, ${total} without a live consent${found.length ? ` (${found.map(([f, n]) => `${f} ${n}`).join(", ")})` : ""}, in ${seconds}s`;
}
