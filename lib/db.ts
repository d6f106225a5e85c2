// Builds the single Prisma client for the configured database, after applying pending migrations.
// Only lib/data/* and this file import the client.
//
// Two generated clients exist (one per provider, identical model API); the SQLite one's type is
// used everywhere, and the PostgreSQL one is cast to it. scripts/prisma-schemas.mjs generates both
// from the same models file, so the shapes cannot drift.
import "server-only";
import type { PrismaClient } from "@/prisma/generated/sqlite/client/client";
import { env } from "./env";
import { migrate, sqliteFilePath } from "./migrate";

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

async function connect(): Promise<Db> {
  const { databaseKind, databaseUrl } = env();
  await migrate(databaseKind, databaseUrl);
  if (databaseKind === "postgres") {
    const [{ PrismaPg }, { PrismaClient: PgClient }] = await Promise.all([
      import("@prisma/adapter-pg"),
      import("@/prisma/generated/postgres/client/client"),
    ]);
    const client = new PgClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }) });
    return client as unknown as Db;
  }
  const [{ PrismaBetterSQLite3 }, { PrismaClient: SqliteClient }] = await Promise.all([
    import("@prisma/adapter-better-sqlite3"),
    import("@/prisma/generated/sqlite/client/client"),
  ]);
  const client = new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: sqliteFilePath(databaseUrl), timeout: 10_000 }) });
  // secure_delete overwrites freed pages so erased values do not linger in the file; FULL sync
  // because losing a consent decision on power loss is worse than a slower write.
  for (const pragma of ["journal_mode = WAL", "secure_delete = ON", "foreign_keys = ON", "synchronous = FULL", "busy_timeout = 10000"]) {
    await client.$queryRawUnsafe(`PRAGMA ${pragma}`);
  }
  return client;
}

const globalForDb = globalThis as unknown as { __consentDb?: Promise<Db> };

/** The shared client. The first call migrates and connects; a failure is retried on the next call. */
export function db(): Promise<Db> {
  globalForDb.__consentDb ??= connect().catch((e) => {
    globalForDb.__consentDb = undefined;
    throw e;
  });
  return globalForDb.__consentDb;
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
  if (pending) await (await pending).$disconnect();
}
