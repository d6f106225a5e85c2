// Writes one Prisma schema per database kind from prisma/models.prisma, generates a client for each,
// and writes the SQL that creates the tables (generated/<kind>/create.sql), all offline. Run by the
// bench (scripts/bench/peers.ts) after `npm ci`; the bench applies create.sql to each fresh database.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const models = readFileSync(join(root, "prisma/models.prisma"), "utf8");
const providers = { sqlite: "sqlite", postgres: "postgresql" };
for (const [kind, provider] of Object.entries(providers)) {
  const dir = join(root, "generated", kind);
  mkdirSync(dir, { recursive: true });
  const url = provider === "sqlite" ? "file:./unused.db" : "postgresql://unused@127.0.0.1/unused";
  writeFileSync(
    join(dir, "schema.prisma"),
    `generator client {\n  provider   = "prisma-client-js"\n  output     = "./client"\n  engineType = "client"\n}\n\ndatasource db {\n  provider = "${provider}"\n  url      = "${url}"\n}\n\n${models}`,
  );
  const prisma = (args) =>
    execFileSync(process.execPath, [join(root, "node_modules/prisma/build/index.js"), ...args, "--config", join(root, `prisma/${kind}.config.ts`)], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    });
  prisma(["generate"]);
  writeFileSync(join(dir, "create.sql"), prisma(["migrate", "diff", "--from-empty", "--to-schema-datamodel", join(dir, "schema.prisma"), "--script"]));
}
