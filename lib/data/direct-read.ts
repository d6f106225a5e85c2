import "server-only";
// Reads on the database driver under the Prisma client, for the statements every signed-in page
// runs (the session's user, the consent overview, the export's history). Through Prisma each raw
// statement paid its client (a query plan compiled for a raw string, spans, result mapping) and, on
// SQLite, a fresh prepare: about as much as the statement itself, on every page view
// (docs/decisions/009-sign-in-cost.md measured the same for the sign-in).
//
// The rows keep the shapes Prisma's raw queries gave, so callers read them the same way: on
// PostgreSQL, BIGINT as bigint and a TIMESTAMP (without zone, kept in UTC) as a UTC Date whatever the
// process's time zone (pg's own default reads it as local time); on SQLite what the adapter's
// connection gives (integers as bigint, times as the ISO text Prisma wrote, blobs as Buffers).
//
// Consistency is Prisma's: on SQLite the one connection is shared, and a statement outside a
// transaction never waited for another request's open transaction there either (the adapter's lock
// is for transactions only).
import { createHash } from "node:crypto";
import type { QueryResultRow } from "pg";
import { driver } from "./db";
import { dialect, preparedOn } from "./sql";

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
const statementNames = new Map<string, string>();

/**
 * A read-only statement (`?` placeholders) outside any transaction, on the driver. Named on
 * PostgreSQL, so each shape is parsed and planned once per connection; prepared once per SQL text on
 * SQLite.
 */
export async function readRows<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
  // Writes stay with Prisma or the sign-in's own statements: their locks and transactions are there.
  if (!/^\s*SELECT\b/i.test(sql)) throw new Error("readRows runs SELECT statements only.");
  const handle = await driver();
  if (handle.kind === "sqlite") return preparedOn(handle.connection(), sql).all(...params) as T[];
  types ??= pgTypes((await import("pg")).default.types);
  const text = dialect(sql);
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `read_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`));
  const result = await handle.pool.query<T & QueryResultRow>({ name, text, values: [...params], types });
  return result.rows;
}
