// One Prisma client, on the database kind DATABASE_URL names (a file: URL for SQLite, else
// PostgreSQL), through the driver adapter as Prisma documents for engineType "client".
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client/index.js";
import { PrismaClient as PostgresClient } from "../generated/postgres/client/index.js";

const url = process.env.DATABASE_URL ?? "";
const globalForPrisma = globalThis;

export const prisma =
  globalForPrisma.prisma ??
  (url.startsWith("file:")
    ? new SqliteClient({ adapter: new PrismaBetterSQLite3({ url }) })
    : new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) }));

if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = prisma;
