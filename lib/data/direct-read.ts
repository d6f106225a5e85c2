import "server-only";
// Reads on the database driver under the Prisma client, for the statements every signed-in page
// runs (the session's user, the consent overview, the export's history) and the admin report's.
// Through Prisma each raw statement paid its client (a query plan compiled for a raw string, spans,
// result mapping) and, on SQLite, a fresh prepare: about as much as the statement itself, on every
// page view (docs/decisions/009-sign-in-cost.md measured the same for the sign-in).
//
// The rows keep the shapes Prisma's raw queries gave, so callers read them the same way: on
// PostgreSQL, BIGINT as bigint and a TIMESTAMP (without zone, kept in UTC) as a UTC Date whatever the
// process's time zone (pg's own default reads it as local time); on SQLite what the adapter's
// connection gives (integers as bigint, times as the ISO text Prisma wrote, blobs as Buffers).
//
// Consistency is Prisma's: on SQLite the one connection is shared, and a statement outside a
// transaction never waited for another request's open transaction there either (the adapter's lock
// is for transactions only).
import type { PoolClient, QueryResultRow } from "pg";
import { driver } from "./db";
import { dialect, pgStatementName, preparedOn, type RowReader } from "./sql";

const PG_INT8 = 20;
const PG_TIMESTAMP = 1114;

/** pg's parsers, but for the two types Prisma reads differently (above). */
function pgTypes(base: { getTypeParser: (oid: number, format?: "text" | "binary") => unknown }) {
  return {
    getTypeParser: (oid: number, format?: "text" | "binary") => {
      if (oid === PG_INT8) return (text: string) => BigInt(text);
      if (oid === PG_TIMESTAMP) return (text: string) => new Date(`${text.replace(" ", "T")}Z`);
      return base.getTypeParser(oid, format);
    },
  };
}

let types: ReturnType<typeof pgTypes> | undefined;

/**
 * A read-only statement (`?` placeholders) outside any transaction, on the driver. Named on
 * PostgreSQL, so each shape is parsed and planned once per connection; prepared once per SQL text on
 * SQLite.
 */
export const readRows: RowReader = async <T>(sql: string, params: readonly unknown[] = []) => {
  const handle = await driver();
  if (handle.kind === "sqlite") {
    refuseWrites(sql);
    const statement = preparedOn(handle.connection(), sql);
    // SQLite's own verdict, for what the words could hide.
    if (!statement.readonly) throw new Error(READS_ONLY);
    return statement.all(...params) as T[];
  }
  return onPostgres<T>(handle.pool, sql, params);
};

/**
 * `read` given the reads of one snapshot: on PostgreSQL a READ ONLY, REPEATABLE READ transaction on
 * one pooled connection, after `setup` (a SELECT of set_config(…, true), which holds for this
 * transaction only); on SQLite the plain reads, as Prisma's were (the one connection cannot hold a
 * transaction across awaits without taking other requests' statements into it).
 */
export async function inReadSnapshot<R>(setup: string | null, read: (rows: RowReader) => Promise<R>): Promise<R> {
  const handle = await driver();
  if (handle.kind === "sqlite") return read(readRows);
  const connection = await handle.pool.connect();
  try {
    await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (setup) await onPostgres(connection, setup, []);
    const out = await read((sql, params = []) => onPostgres(connection, sql, params));
    await connection.query("COMMIT");
    connection.release();
    return out;
  } catch (e) {
    await rollBackAndRelease(connection);
    throw e;
  }
}

/**
 * Ends a failed transaction and gives the connection back; one that cannot roll back is dropped
 * from the pool rather than reused mid-transaction.
 */
export async function rollBackAndRelease(connection: PoolClient): Promise<void> {
  const broken = await connection.query("ROLLBACK").then(
    () => undefined,
    (rollbackError: unknown) => (rollbackError instanceof Error ? rollbackError : new Error("ROLLBACK failed")),
  );
  connection.release(broken);
}

const READS_ONLY = "readRows runs SELECT statements only.";

/**
 * Writes stay with Prisma or the sign-in's own statements, where their locks and transactions are
 * (and an audit event written alone, group-commit.ts's writeAlone).
 */
function refuseWrites(sql: string): void {
  if (!/^\s*(SELECT|WITH)\b/i.test(sql) || /\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE)\b/i.test(sql))
    throw new Error(READS_ONLY);
}

async function onPostgres<T>(client: Pick<PoolClient, "query">, sql: string, params: readonly unknown[]): Promise<T[]> {
  refuseWrites(sql);
  types ??= pgTypes((await import("pg")).default.types);
  const text = dialect(sql);
  const result = await client.query<T & QueryResultRow>({
    name: pgStatementName("read", text),
    text,
    values: [...params],
    types,
  });
  return result.rows;
}
