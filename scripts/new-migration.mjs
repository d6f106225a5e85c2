// Authors the next migration of both series from the change to prisma/models.prisma since the last
// migration (kept as prisma/migrations/models.snapshot.prisma). Offline: `prisma migrate diff`
// between two datamodels needs no database. `--check` exits 1 when the models have changed
// without a migration (run by the tests).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KINDS, prisma, root, schemaText, writeSchemas } from "./prisma-schemas.mjs";

const check = process.argv.includes("--check");
const name = process.argv.slice(2).find((a) => !a.startsWith("--"));
if (!check && !/^[a-z0-9_]+$/.test(name ?? "")) {
  console.error("usage: npm run db:new-migration -- <snake_case_name>   (or --check)");
  process.exit(2);
}

writeSchemas({ generate: false });
const snapshotFile = join(root, "prisma/migrations/models.snapshot.prisma");
const models = readFileSync(join(root, "prisma/models.prisma"), "utf8");
const tmp = mkdtempSync(join(tmpdir(), "migration-"));
let changed = false;

for (const kind of Object.keys(KINDS)) {
  const dir = join(root, "prisma/migrations", kind);
  mkdirSync(dir, { recursive: true });
  const to = join(root, "prisma/generated", kind, "schema.prisma");
  const fromArgs = existsSync(snapshotFile)
    ? [
        "--from-schema-datamodel",
        (writeFileSync(join(tmp, `${kind}.prisma`), schemaText(kind, readFileSync(snapshotFile, "utf8"))),
        join(tmp, `${kind}.prisma`)),
      ]
    : ["--from-empty"];
  const sql = prisma([
    "migrate",
    "diff",
    "--config",
    join(root, `prisma/${kind}.config.ts`),
    ...fromArgs,
    "--to-schema-datamodel",
    to,
    "--script",
  ]);
  if (/^\s*(-- This is an empty migration\.)?\s*$/.test(sql)) continue;
  changed = true;
  if (check) continue;
  const next = String(readdirSync(dir).filter((d) => /^\d{4}_/.test(d)).length + 1).padStart(4, "0");
  mkdirSync(join(dir, `${next}_${name}`));
  writeFileSync(join(dir, `${next}_${name}`, "migration.sql"), sql);
  console.log(`wrote prisma/migrations/${kind}/${next}_${name}/migration.sql`);
}

if (check) {
  if (changed) {
    console.error("prisma/models.prisma has changes without a migration: run npm run db:new-migration -- <name>");
    process.exit(1);
  }
  console.log("migrations are up to date with prisma/models.prisma");
} else if (changed) {
  writeFileSync(snapshotFile, models);
} else {
  console.log("no change to migrate");
}
