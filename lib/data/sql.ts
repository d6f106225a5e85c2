import "server-only";
// Raw SQL on both databases, written with `?` placeholders (PostgreSQL wants $1, $2, ...). Used
// where Prisma's query API cannot express a query (anti-joins, bulk upserts and inserts) and where
// its cost per statement mattered: the rows every sign-in writes (docs/decisions/009), also run on
// the driver by lib/data/sign-in/ through preparedOn.
import type BetterSqlite3 from "better-sqlite3";
import { createHash } from "node:crypto";
import type { Db, Tx } from "./db";
import { env } from "../core/env";

/** `?` placeholders as the configured database wants them. */
export function dialect(sql: string): string {
  if (env().databaseKind !== "postgres") return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * A timestamp parameter compared with a DateTime column. Prisma keeps SQLite DateTimes as ISO text
 * with a "+00:00" suffix, which compares correctly as text; PostgreSQL columns are UTC timestamps.
 */
export function sqlTime(at: Date): string {
  const iso = at.toISOString();
  return env().databaseKind === "postgres" ? iso.replace("T", " ").replace("Z", "") : iso.replace("Z", "+00:00");
}

/**
 * A DateTime column read by raw SQL: a Date when the driver gives one, else the text or number
 * SQLite keeps (Prisma writes ISO text there).
 */
export function timeOf(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "string" || typeof value === "number") return new Date(value);
  // The SQLite connection answers integers as bigint (direct-read.ts), should a time be kept as one.
  if (typeof value === "bigint") return new Date(Number(value));
  throw new TypeError("not a time");
}

/** The SQL text for a time parameter: a plain `?` on SQLite, cast on PostgreSQL. */
export function timeParam(): string {
  return env().databaseKind === "postgres" ? "CAST(? AS TIMESTAMP(3))" : "?";
}

export async function queryRows<T>(client: Db | Tx, sql: string, params: unknown[] = []): Promise<T[]> {
  return client.$queryRawUnsafe<T[]>(dialect(sql), ...params);
}

/** Runs a read (`?` placeholders) somewhere: on the driver (direct-read.ts) or through Prisma. */
export type RowReader = <T>(sql: string, params?: readonly unknown[]) => Promise<T[]>;

export async function executeSql(client: Db | Tx, sql: string, params: unknown[] = []): Promise<number> {
  return client.$executeRawUnsafe(dialect(sql), ...params);
}

const prepared = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/**
 * A statement prepared once per connection and SQL text. The adapter prepares every statement
 * afresh; the sign-in's few texts (docs/decisions/009) are reused thousands of times.
 */
export function preparedOn(connection: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let cache = prepared.get(connection);
  if (!cache) prepared.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

/** COUNT(*) comes back as bigint on PostgreSQL and number on SQLite. */
export function toCount(value: unknown): number {
  return typeof value === "bigint" ? Number(value) : Number(value ?? 0);
}

/** One `SELECT COUNT(*) AS n FROM …` statement with its parameters, to be run by countAll. */
export type CountQuery = { sql: string; params: unknown[] };

/**
 * Several counts in one statement, each a scalar subquery planned on its own (the same index range
 * scans as apart): one round trip through Prisma and the driver instead of one per count, which is
 * where the admin report's dozens of small counts spent their time.
 */
export async function countAll(read: RowReader, queries: CountQuery[]): Promise<number[]> {
  if (queries.length === 0) return [];
  const [row] = await read<Record<string, unknown>>(
    `SELECT ${queries.map((q, i) => `(${q.sql}) AS c${i}`).join(", ")}`,
    queries.flatMap((q) => q.params),
  );
  return queries.map((_, i) => toCount(row?.[`c${i}`]));
}

type Cell = string | number | boolean | Date | Uint8Array | null;

/**
 * Multi-row INSERT for bulk writers. Prisma's createMany costs about a millisecond per row through
 * the driver adapters, which makes a million-user seed take hours; one statement per few hundred
 * rows is an order of magnitude faster. Values are still parameters, never spliced into the SQL.
 */
export async function insertMany(
  client: Db | Tx,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
): Promise<void> {
  const postgres = env().databaseKind === "postgres";
  const perStatement = Math.max(1, Math.floor(8000 / columns.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const params: unknown[] = [];
    const tuples = chunk.map(
      (row) =>
        `(${row
          .map((v) => {
            if (v instanceof Date) {
              params.push(sqlTime(v));
              return timeParam();
            }
            if (typeof v === "boolean") {
              params.push(postgres ? v : v ? 1 : 0);
              return "?";
            }
            params.push(v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);
            return "?";
          })
          .join(", ")})`,
    );
    await executeSql(
      client,
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")}`,
      params,
    );
  }
}

const statementNames = new Map<string, string>();

/**
 * The name of a PostgreSQL prepared statement for this SQL text (`$n` placeholders): PostgreSQL then
 * parses and plans each shape once per connection instead of on every run. The driver's callers
 * (the sign-in, direct-read.ts, group-commit.ts) name theirs here; `kind` only says whose it is when
 * reading pg_stat_statements or a server log.
 */
export function pgStatementName(kind: "sign_in" | "read" | "write", text: string): string {
  const key = `${kind}:${text}`;
  let name = statementNames.get(key);
  if (!name)
    statementNames.set(key, (name = `${kind}_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`));
  return name;
}
