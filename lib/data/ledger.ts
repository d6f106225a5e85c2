import "server-only";
// The consent ledger: append-only records, each chained to the previous by SHA-256, so an edited,
// inserted or deleted record breaks the chain (`npm run ledger:verify`). Appends first advance the
// single ledger_head row, which takes a row lock on PostgreSQL and the write lock on SQLite, so
// concurrent writers line up instead of forking the chain. Records hold no personal data: the
// subject is the random user id.
import { createHash } from "node:crypto";
import { db, type Tx } from "./db";
import { insertMany, timeOf } from "./sql";
import { readRows } from "./direct-read";

/**
 * "declined": no on a purpose that was not granted (first asked, or asked again after a no);
 * "withdrawn": no to a purpose that was granted. Records written before "declined" existed say
 * "withdrawn" for both: read them with meaningOfHistory, which tells them apart by what came before.
 */
export type Decision = "granted" | "withdrawn" | "declined";
export type Method = "page" | "api" | "erasure" | "purge";

export type LedgerEntry = {
  subjectId: string;
  purposeId: string;
  purposeVersion: string;
  textHash: string;
  /** The language of the text decided on (a LOCALES code). */
  locale: string;
  fields: readonly string[];
  decision: Decision;
  method: Method;
  at: Date;
};

export type LedgerRecord = LedgerEntry & { seq: number; prevHash: string; hash: string };

/**
 * The record's hash covers its language without re-hashing the past: English, the language of
 * every record written before languages existed (the migration labels them "en"), keeps the exact
 * form those records were hashed in; any other language is appended. Both forms are distinct JSON,
 * so changing a record's language either way breaks its hash like any other edit: old records keep
 * verifying, and their "en" is covered too.
 */
export function hashRecord(prevHash: string, seq: number, e: LedgerEntry): string {
  const canonical = JSON.stringify([
    seq,
    prevHash,
    e.subjectId,
    e.purposeId,
    e.purposeVersion,
    e.textHash,
    [...e.fields],
    e.decision,
    e.method,
    e.at.toISOString(),
    ...(e.locale === "en" ? [] : [e.locale]),
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

export async function appendToLedger(tx: Tx, entries: readonly LedgerEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // Reserve the seq range first: the UPDATE locks the head row until commit.
  const head = await tx.ledgerHead.update({ where: { id: 1 }, data: { seq: { increment: entries.length } } });
  let seq = head.seq - entries.length;
  let prevHash = head.hash;
  const rows = entries.map((e) => {
    seq += 1;
    const hash = hashRecord(prevHash, seq, e);
    const row = {
      seq,
      subjectId: e.subjectId,
      purposeId: e.purposeId,
      purposeVersion: e.purposeVersion,
      textHash: e.textHash,
      locale: e.locale,
      fields: JSON.stringify(e.fields),
      decision: e.decision,
      method: e.method,
      at: e.at,
      prevHash,
      hash,
    };
    prevHash = hash;
    return row;
  });
  // One multi-row INSERT instead of createMany, whose per-row cost dominated bulk appends (seed).
  await insertMany(
    tx,
    "consent_records",
    [
      "seq",
      "subject_id",
      "purpose_id",
      "purpose_version",
      "text_hash",
      "locale",
      "fields",
      "decision",
      "method",
      "at",
      "prev_hash",
      "hash",
    ],
    rows.map((r) => [
      r.seq,
      r.subjectId,
      r.purposeId,
      r.purposeVersion,
      r.textHash,
      r.locale,
      r.fields,
      r.decision,
      r.method,
      r.at,
      r.prevHash,
      r.hash,
    ]),
  );
  await tx.ledgerHead.update({ where: { id: 1 }, data: { hash: prevHash } });
}

function toRecord(r: {
  seq: number;
  subjectId: string;
  purposeId: string;
  purposeVersion: string;
  textHash: string;
  locale: string;
  fields: string;
  decision: string;
  method: string;
  at: Date;
  prevHash: string;
  hash: string;
}): LedgerRecord {
  return {
    ...r,
    fields: JSON.parse(r.fields) as string[],
    decision: r.decision as Decision,
    method: r.method as Method,
  };
}

/**
 * What each of a subject's records (oldest first) meant: a "withdrawn" with no grant of that purpose
 * in force before it was a decline, written before declines had a word of their own. The stored
 * decision stays as it is (its hash covers it); readers show this meaning beside it.
 */
export function meaningOfHistory(history: readonly LedgerRecord[]): Decision[] {
  const granted = new Map<string, boolean>();
  return history.map((r) => {
    const was = granted.get(r.purposeId) ?? false;
    granted.set(r.purposeId, r.decision === "granted");
    return r.decision === "withdrawn" && !was ? "declined" : r.decision;
  });
}

export async function ledgerForSubject(subjectId: string): Promise<LedgerRecord[]> {
  // Raw SQL: the export and the receipt read this on every view, where a Prisma model query compiled
  // its query again each time (issue 26).
  const rows = await readRows<{
    seq: unknown;
    subject_id: string;
    purpose_id: string;
    purpose_version: string;
    text_hash: string;
    locale: string;
    fields: string;
    decision: string;
    method: string;
    at: unknown;
    prev_hash: string;
    hash: string;
  }>(
    `SELECT "seq", "subject_id", "purpose_id", "purpose_version", "text_hash", "locale", "fields", "decision", "method", "at", "prev_hash", "hash" FROM "consent_records" WHERE "subject_id" = ? ORDER BY "seq"`,
    [subjectId],
  );
  return rows.map((r) =>
    toRecord({
      seq: Number(r.seq),
      subjectId: r.subject_id,
      purposeId: r.purpose_id,
      purposeVersion: r.purpose_version,
      textHash: r.text_hash,
      locale: r.locale,
      fields: r.fields,
      decision: r.decision,
      method: r.method,
      at: timeOf(r.at),
      prevHash: r.prev_hash,
      hash: r.hash,
    }),
  );
}

export type LedgerVerification =
  { ok: true; records: number } | { ok: false; records: number; problem: string; atSeq: number };

/** Walks the whole chain in pages; reports the first record that does not fit. */
export async function verifyLedger(onProgress?: (checked: number, total: number) => void): Promise<LedgerVerification> {
  const client = await db();
  const head = await client.ledgerHead.findUnique({ where: { id: 1 } });
  if (!head) return { ok: false, records: 0, problem: "ledger head is missing", atSeq: 0 };
  const total = await client.consentRecord.count();
  let prevHash = "genesis";
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const page = await client.consentRecord.findMany({
      where: { seq: { gte: expectedSeq } },
      orderBy: { seq: "asc" },
      take: 2000,
    });
    if (page.length === 0) break;
    for (const raw of page) {
      const r = toRecord(raw);
      if (r.seq !== expectedSeq)
        return { ok: false, records: checked, problem: `record ${expectedSeq} is missing`, atSeq: expectedSeq };
      if (r.prevHash !== prevHash)
        return { ok: false, records: checked, problem: "chain link does not match the previous record", atSeq: r.seq };
      if (hashRecord(prevHash, r.seq, r) !== r.hash)
        return {
          ok: false,
          records: checked,
          problem: "record content does not match its hash (edited)",
          atSeq: r.seq,
        };
      prevHash = r.hash;
      expectedSeq += 1;
      checked += 1;
    }
    onProgress?.(checked, total);
  }
  if (head.seq !== checked || head.hash !== prevHash) {
    return {
      ok: false,
      records: checked,
      problem: `ledger ends at record ${checked} but the head says ${head.seq} (records removed from the end)`,
      atSeq: checked + 1,
    };
  }
  return { ok: true, records: checked };
}

/**
 * The ledger against the present: each person's current consent states (consent_states) must be
 * the latest decision the ledger holds for that person and purpose (same answer, text version and
 * language), and every latest decision must have its state while the person exists. The chain check
 * above cannot see a state deleted or changed behind the ledger's back (a migration that wiped
 * consent_states left the chain intact); this does. Counts only.
 */
export type LedgerConsistency = {
  /** Current states compared. */
  states: number;
  /** Latest ledger decisions (one per person and purpose) compared. */
  decisions: number;
  /** A current state with no ledger record for its person and purpose. */
  statesWithoutRecord: number;
  /** A current state whose answer, text version or language differs from the latest record. */
  statesDisagreeing: number;
  /** A latest decision that is a grant, with no current state (granted, then lost). */
  grantsWithoutState: number;
  /** A latest refusal or withdrawal of a person who still has an account, with no current state. */
  refusalsWithoutState: number;
  problems: number;
};

const LATEST = `latest AS (
  SELECT r.subject_id, r.purpose_id, r.decision, r.purpose_version, r.locale
  FROM consent_records r
  JOIN (SELECT subject_id, purpose_id, MAX(seq) AS seq FROM consent_records GROUP BY subject_id, purpose_id) m
    ON m.seq = r.seq
)`;

export async function checkLedgerConsistency(): Promise<LedgerConsistency> {
  const client = await db();
  const n = (v: unknown) => Number(v ?? 0);
  const [statesSide] = await client.$queryRawUnsafe<Record<string, unknown>[]>(`
    WITH ${LATEST}
    SELECT COUNT(*) AS states,
      SUM(CASE WHEN l.subject_id IS NULL THEN 1 ELSE 0 END) AS without_record,
      SUM(CASE WHEN l.subject_id IS NOT NULL AND (
            (s.granted AND l.decision <> 'granted') OR (NOT s.granted AND l.decision = 'granted')
            OR l.purpose_version <> s.purpose_version OR l.locale <> s.locale) THEN 1 ELSE 0 END) AS disagreeing
    FROM consent_states s
    LEFT JOIN latest l ON l.subject_id = s.user_id AND l.purpose_id = s.purpose_id`);
  const [ledgerSide] = await client.$queryRawUnsafe<Record<string, unknown>[]>(`
    WITH ${LATEST}
    SELECT COUNT(*) AS decisions,
      SUM(CASE WHEN s.user_id IS NULL AND l.decision = 'granted' THEN 1 ELSE 0 END) AS grants_without_state,
      SUM(CASE WHEN s.user_id IS NULL AND l.decision <> 'granted' AND u.id IS NOT NULL THEN 1 ELSE 0 END)
        AS refusals_without_state
    FROM latest l
    LEFT JOIN consent_states s ON s.user_id = l.subject_id AND s.purpose_id = l.purpose_id
    LEFT JOIN users u ON u.id = l.subject_id`);
  const result = {
    states: n(statesSide?.states),
    decisions: n(ledgerSide?.decisions),
    statesWithoutRecord: n(statesSide?.without_record),
    statesDisagreeing: n(statesSide?.disagreeing),
    grantsWithoutState: n(ledgerSide?.grants_without_state),
    refusalsWithoutState: n(ledgerSide?.refusals_without_state),
  };
  return {
    ...result,
    problems:
      result.statesWithoutRecord + result.statesDisagreeing + result.grantsWithoutState + result.refusalsWithoutState,
  };
}

export const LEDGER_VERIFY_JOB = "ledger_verify";

/** What one `npm run ledger:verify` found, as recorded for the admin report: counts only. */
export type LedgerVerifyCounts = {
  records: number;
  chainIntact: boolean;
  states: number;
  decisions: number;
  problems: number;
};

export async function recordLedgerVerifyRun(startedAt: Date, counts: LedgerVerifyCounts): Promise<void> {
  const client = await db();
  await client.jobRun.create({
    data: { job: LEDGER_VERIFY_JOB, startedAt, finishedAt: new Date(), result: JSON.stringify(counts) },
  });
}
