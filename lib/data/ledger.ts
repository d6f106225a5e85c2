import "server-only";
// The consent ledger: append-only records, each chained to the previous by SHA-256, so an edited,
// inserted or deleted record breaks the chain (`npm run ledger:verify`). Appends first advance the
// single ledger_head row, which takes a row lock on PostgreSQL and the write lock on SQLite, so
// concurrent writers line up instead of forking the chain. Records hold no personal data: the
// subject is the random user id.
import { createHash } from "node:crypto";
import { db, type Db, type Tx } from "../db";
import { insertMany } from "./sql";

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

export async function ledgerForSubject(client: Db | Tx, subjectId: string): Promise<LedgerRecord[]> {
  const rows = await client.consentRecord.findMany({ where: { subjectId }, orderBy: { seq: "asc" } });
  return rows.map(toRecord);
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
