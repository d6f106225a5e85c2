// Builds the single Prisma client for the configured database, after applying pending migrations.
// The app's code queries through it only in lib/data/; the server's start and the CLI scripts open
// and close it through lib/data/connection.ts; only the benchmarks (scripts/bench/) hold the client
// themselves, to time the queries they run on it.
//
// Two generated clients exist (one per provider, identical model API); the SQLite one's type is
// used everywhere, and the PostgreSQL one is cast to it. scripts/prisma-schemas.mjs generates both
// from the same models file, so the shapes cannot drift.
import "server-only";
import type BetterSqlite3 from "better-sqlite3";
import type { Pool } from "pg";
import type { PrismaClient } from "@/prisma/generated/sqlite/client/client";
import { env } from "../core/env";
import { log } from "../core/log";
import { migrate, sqliteFilePath } from "./migrate";

/**
 * How a PostgreSQL pool keeps its idle connections. pg closes one after 10 s idle by default, so the
 * first requests after any 10 s pause opened every connection again (a backend started, authenticated
 * and its caches filled) before answering: the first 2 s of sign-ins after 15 s of quiet had a p99 of
 * 283-387 ms, and 48-163 ms with connections kept (docs/measurements/009-sign-in-cost-log.md). Five
 * minutes covers the pauses of a quiet site; TCP keep-alive finds a connection a network dropped
 * meanwhile, and pg takes an idle connection that errors out of the pool.
 */
export const POSTGRES_IDLE_POOL = { idleTimeoutMillis: 300_000, keepAlive: true } as const;

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * The database connection under the Prisma client, for the hot paths that run on the driver
 * directly (the sign-in, the SQLite group commit and the signed-in pages' reads,
 * docs/decisions/009-sign-in-cost.md). It is the very connection (SQLite) or pool (PostgreSQL) the
 * client uses, so PRAGMAs, the pool size and the single SQLite writer are shared rather than
 * duplicated. Only lib/data/sign-in/, lib/data/group-commit.ts and lib/data/direct-read.ts use it.
 */
export type Driver = { kind: "sqlite"; connection: () => BetterSqlite3.Database } | { kind: "postgres"; pool: Pool };

/** The database cannot be reached or does not answer; the message names DATABASE_URL, never its value. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: "refused the connection",
  ENOTFOUND: "host was not found",
  EAI_AGAIN: "host could not be resolved",
  EHOSTUNREACH: "host cannot be reached",
  ENETUNREACH: "network cannot be reached",
  ECONNRESET: "closed the connection",
  ETIMEDOUT: "did not answer the connection",
  "3D000": "has no such database",
  "28P01": "refused the credentials",
  "28000": "refused the credentials",
  SQLITE_CANTOPEN: "file cannot be opened",
  SQLITE_BUSY: "file stayed locked by another process",
};

/** A connection-level failure as DatabaseUnavailableError; anything else (a migration's) unchanged. */
export function describeDatabaseError(e: unknown): unknown {
  if (e instanceof DatabaseUnavailableError || !(e instanceof Error)) return e;
  const code =
    (e as { code?: string }).code ?? (/timeout exceeded when trying to connect/i.test(e.message) ? "ETIMEDOUT" : "");
  const what = UNREACHABLE[code];
  return what
    ? new DatabaseUnavailableError(
        `DATABASE_URL: the database ${what} (${code}); is it running, and is this its address?`,
      )
    : e;
}

/** Settles like the promise, or rejects naming DATABASE_URL once the configured timeout passes. */
export function withinDatabaseTimeout<T>(promise: Promise<T>): Promise<T> {
  const ms = env().databaseTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DatabaseUnavailableError(
            `DATABASE_URL: the database did not answer within ${ms / 1000} s (DATABASE_TIMEOUT_SECONDS); is it running, and is this its address?`,
          ),
        ),
      ms,
    );
    timer.unref();
  });
  return Promise.race([promise.catch((e) => Promise.reject(describeDatabaseError(e))), timeout]).finally(() =>
    clearTimeout(timer),
  );
}

async function connect(): Promise<Db> {
  const { databaseKind, databaseUrl, backupDir, databaseTimeoutMs } = env();
  // A database that accepts the connection and never answers would hang the migration (and the start)
  // for good: the race gives up after DATABASE_TIMEOUT_SECONDS.
  await withinDatabaseTimeout(migrate(databaseKind, databaseUrl, { backupDir, logger: log() }));
  if (databaseKind === "postgres") {
    const [{ PrismaPg }, { PrismaClient: PgClient }, { default: pg }] = await Promise.all([
      import("@prisma/adapter-pg"),
      import("@/prisma/generated/postgres/client/client"),
      import("pg"),
    ]);
    // Our own pool, handed to the adapter (which accepts one, and ends it when the client
    // disconnects), so the sign-in can use it too.
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 10,
      connectionTimeoutMillis: databaseTimeoutMs,
      ...POSTGRES_IDLE_POOL,
    });
    // An idle connection that dies (PostgreSQL restarted or dropped it, a network cut) is dropped by
    // the pool, which reports it as an "error" event: with no listener that event ends the process.
    // Prisma's adapter listens too, but only from Prisma's first statement, and the driver's
    // statements (sign-in, pages, audit events) may be the only ones a process has run.
    pool.on("error", (e) =>
      log().warn({ code: (e as { code?: string }).code }, "an idle PostgreSQL connection failed"),
    );
    const client = new PgClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    globalForDb.__consentDriver = { kind: "postgres", pool };
    return client as unknown as Db;
  }
  const [{ PrismaBetterSQLite3 }, { PrismaClient: SqliteClient }, { default: Database }] = await Promise.all([
    import("@prisma/adapter-better-sqlite3"),
    import("@/prisma/generated/sqlite/client/client"),
    import("better-sqlite3"),
  ]);
  const factory = new PrismaBetterSQLite3({ url: sqliteFilePath(databaseUrl), timeout: 10_000 });
  // The adapter opens its better-sqlite3 connection itself and takes no Database of ours, so the
  // connection is picked up from the adapter (its `client` field) each time Prisma connects. A second
  // connection to the file would be worse than reaching in: better-sqlite3 is synchronous, so waiting
  // on the busy timeout for a Prisma transaction of this same process would block the event loop that
  // transaction needs to finish. If an upgrade moves the field, connecting fails loudly.
  let connection: BetterSqlite3.Database | undefined;
  const adapter: typeof factory = Object.assign(Object.create(factory) as typeof factory, {
    connect: async () => {
      const connected = await factory.connect();
      const handle = (connected as unknown as { client?: unknown }).client;
      if (!(handle instanceof Database))
        throw new Error("The SQLite adapter no longer exposes its better-sqlite3 connection (lib/data/db.ts).");
      connection = handle;
      return connected;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  });
  const client = new SqliteClient({ adapter });
  // secure_delete overwrites freed pages so erased values do not linger in the file; FULL sync
  // because losing a consent decision on power loss is worse than a slower write.
  // busy_timeout first, so that the others wait for a lock another instance holds instead of failing.
  for (const pragma of [
    "busy_timeout = 10000",
    "journal_mode = WAL",
    "secure_delete = ON",
    "foreign_keys = ON",
    "synchronous = FULL",
  ]) {
    await client.$queryRawUnsafe(`PRAGMA ${pragma}`);
  }
  globalForDb.__consentDriver = {
    kind: "sqlite",
    connection: () => {
      if (!connection?.open) throw new Error("The SQLite connection is not open.");
      return connection;
    },
  };
  return client;
}

const globalForDb = globalThis as unknown as { __consentDb?: Promise<Db>; __consentDriver?: Driver };

/** The shared client. The first call migrates and connects; a failure is retried on the next call. */
export function db(): Promise<Db> {
  globalForDb.__consentDb ??= connect().catch((e) => {
    globalForDb.__consentDb = undefined;
    throw e;
  });
  return globalForDb.__consentDb;
}

/** The driver under the shared client (see Driver). Connects first, like db(). */
export async function driver(): Promise<Driver> {
  await db();
  const handle = globalForDb.__consentDriver;
  if (!handle) throw new Error("The database driver is not available.");
  return handle;
}

/**
 * Truncates SQLite's write-ahead log into the main file (where secure_delete has zeroed freed
 * pages), so erased values leave no readable copy. A no-op on PostgreSQL, whose remaining copies
 * are unreadable once the data key is destroyed.
 */
export async function checkpointAfterErasure(): Promise<void> {
  if (env().databaseKind !== "sqlite") return;
  const client = await db();
  await client.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
}

export async function disconnect(): Promise<void> {
  const pending = globalForDb.__consentDb;
  globalForDb.__consentDb = undefined;
  globalForDb.__consentDriver = undefined;
  // The adapter ends the pool it was given when the client disconnects.
  if (pending) await (await pending).$disconnect();
}
