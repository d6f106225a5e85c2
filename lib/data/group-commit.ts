import "server-only";
// Group commit on SQLite, for the sign-in (docs/decisions/009-sign-in-cost.md) and the audit events
// written on their own, such as the record of every export view (audit.ts).
//
// SQLite has one writer at a time, and with synchronous=FULL every commit waits for an fsync of the
// write-ahead log. better-sqlite3 is synchronous, so that wait blocks the whole event loop: under load
// the fsync, not the work, was the sign-in's largest single cost. Writes that arrive while one
// commits now wait for the next transaction and share its commit. Nothing is weakened:
// - a caller gets its result only after the transaction holding its writes has committed (fsync'd);
// - every member is still all-or-nothing: if any of them throws, the whole group rolls back and each
//   is run again in a transaction of its own, so one failure fails only itself;
// - the transaction takes SQLite's write lock before its first statement (BEGIN IMMEDIATE) or, inside
//   a Prisma transaction, at it (each member's first statement is a write), and holds it to the
//   commit, so no other writer can interleave.
// PostgreSQL is not grouped: its commits do not block the event loop, concurrent commits already
// share WAL flushes, and one transaction locking many user rows could deadlock against consent
// changes (ledger head, then one user row, then counters).
//
// The work runs on the better-sqlite3 connection under the Prisma client, synchronously
// (sign-in/direct.ts, writeAlone below). That connection is shared: when a Prisma
// transaction is open on it (another request's consent change, awaiting between its statements),
// the group goes through Prisma's $transaction, which waits for it; otherwise the group runs
// BEGIN IMMEDIATE … COMMIT itself without yielding, so no Prisma statement can land inside it.
import type BetterSqlite3 from "better-sqlite3";
import { db, driver } from "./db";
import { dialect, pgStatementName, preparedOn } from "./sql";

type Job = {
  work: (connection: BetterSqlite3.Database) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

/** Bounds how long one group holds the write lock (each member is a few statements). */
const MAX_GROUP = 32;

const queue: Job[] = [];
let draining = false;

/** Runs `work` in a transaction that may be shared with other writes; resolves after it commits. */
export function inGroupCommit<T>(work: (connection: BetterSqlite3.Database) => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
    if (!draining) {
      draining = true;
      setImmediate(drainOne);
    }
  });
}

/**
 * A group's statements and its commit run without giving the event loop a turn (the driver is
 * synchronous), so requests arriving meanwhile are only read in the next poll phase. setImmediate
 * runs after that phase: every write that reached this point in it joins the next group. Without
 * this wait the first arrival would start a group of one every time.
 */
async function drainOne(): Promise<void> {
  await runGroup(queue.splice(0, MAX_GROUP));
  if (queue.length) setImmediate(drainOne);
  else draining = false;
}

async function runGroup(group: Job[]): Promise<void> {
  let results: unknown[];
  try {
    const handle = await driver();
    if (handle.kind !== "sqlite") throw new Error("Group commit is for SQLite only.");
    const connection = handle.connection();
    const runAll = () => group.map((job) => job.work(connection));
    results = connection.inTransaction
      ? await (await db()).$transaction(async () => runAll())
      : inOwnTransaction(connection, runAll);
  } catch (e) {
    if (group.length === 1) {
      group[0]!.reject(e);
      return;
    }
    // The group rolled back as a whole: nothing of any member was written, so each may run again.
    for (const job of group) await runGroup([job]);
    return;
  }
  group.forEach((job, i) => job.resolve(results[i]));
}

/** IMMEDIATE: the write lock (waiting up to busy_timeout for another process) before any read. */
function inOwnTransaction<T>(connection: BetterSqlite3.Database, run: () => T): T {
  preparedOn(connection, "BEGIN IMMEDIATE").run();
  try {
    const out = run();
    preparedOn(connection, "COMMIT").run();
    return out;
  } catch (e) {
    if (connection.inTransaction) preparedOn(connection, "ROLLBACK").run();
    throw e;
  }
}

/**
 * One write statement (`?` placeholders) on its own, answering the rows it changed: on SQLite in a
 * group commit; on PostgreSQL on a pooled connection, in a transaction of its own (autocommit), as a
 * named statement, parsed once per connection. Only for a write that needs no lock or transaction
 * around it (an audit event: audit.ts): the others go through Prisma or the sign-in's statements.
 * Through Prisma each such INSERT paid Prisma's client around the statement, as the pages' reads did
 * (docs/decisions/009-sign-in-cost.md).
 */
export async function writeAlone(sql: string, params: readonly unknown[]): Promise<number> {
  const handle = await driver();
  if (handle.kind === "sqlite")
    return inGroupCommit((connection) => preparedOn(connection, sql).run(...params).changes);
  const text = dialect(sql);
  return (await handle.pool.query({ name: pgStatementName("write", text), text, values: [...params] })).rowCount ?? 0;
}
