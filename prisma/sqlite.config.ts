// Prisma CLI config for the SQLite client. engine "js" with a driver adapter keeps the CLI offline:
// the classic engine would download a native schema engine these machines cannot reach.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "generated/sqlite/schema.prisma",
  adapter: async () => new PrismaBetterSQLite3({ url: process.env.PRISMA_CLI_SQLITE_URL ?? "file::memory:" }),
});
