// Prisma CLI config for this peer's postgres client: generation and `migrate diff` only, offline (engine "js"
// with a driver adapter, as the main app's prisma/postgres.config.ts).
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "../generated/postgres/schema.prisma",
  adapter: async () => new PrismaPg({ connectionString: "postgresql://postgres@127.0.0.1:5432/postgres" }),
});
