// Prisma CLI config for this peer's sqlite client: generation and `migrate diff` only, offline (engine "js"
// with a driver adapter, as the main app's prisma/sqlite.config.ts).
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "../generated/sqlite/schema.prisma",
  adapter: async () => new PrismaBetterSQLite3({ url: "file::memory:" }),
});
