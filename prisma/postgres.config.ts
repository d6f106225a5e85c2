// Prisma CLI config for the PostgreSQL client: generation and `migrate diff` only. Migrations are
// applied by lib/data/migrate.ts (see docs/decisions/001-database-and-migrations.md).
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "generated/postgres/schema.prisma",
  adapter: async () =>
    new PrismaPg({
      connectionString: process.env.PRISMA_CLI_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    }),
});
