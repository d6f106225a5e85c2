// The migration series of each database kind must build exactly the schema that prisma/models.prisma
// describes: a database migrated step by step is compared, table by table, column by column and
// index by index, with one built in a single step from the models. Catches a migration lost, renumbered
// or edited by hand during a merge.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { migrate } from "../lib/data/migrate";
import { freshDatabase, testDbKind, type TestDatabase } from "./support/databases";

const created: TestDatabase[] = [];
afterAll(async () => {
  for (const d of created) await d.drop();
});

function fromModelsSql(kind: "sqlite" | "postgres"): string {
  const node = process.execPath;
  return execFileSync(
    node,
    [
      "node_modules/prisma/build/index.js",
      "migrate",
      "diff",
      "--config",
      `prisma/${kind}.config.ts`,
      "--from-empty",
      "--to-schema-datamodel",
      `prisma/generated/${kind}/schema.prisma`,
      "--script",
    ],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    },
  );
}

function sqliteShape(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (
      db
        .prepare(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_app_migrations' ORDER BY name`,
        )
        .all() as { name: string }[]
    ).map((t) => t.name);
    return tables
      .flatMap((t) => [
        ...(
          db.prepare(`PRAGMA table_info("${t}")`).all() as {
            name: string;
            type: string;
            notnull: number;
            dflt_value: string | null;
            pk: number;
          }[]
        ).map((c) => `${t}.${c.name} ${c.type} nn=${c.notnull} pk=${c.pk} d=${c.dflt_value}`),
        ...(db.prepare(`PRAGMA index_list("${t}")`).all() as { name: string; unique: number }[]).map(
          (i) =>
            `${t} index ${i.unique ? "unique " : ""}(${(db.prepare(`PRAGMA index_info("${i.name}")`).all() as { name: string }[]).map((c) => c.name).join(",")})`,
        ),
        ...(
          db.prepare(`PRAGMA foreign_key_list("${t}")`).all() as {
            table: string;
            from: string;
            to: string;
            on_delete: string;
          }[]
        ).map((f) => `${t}.${f.from} -> ${f.table}.${f.to} on delete ${f.on_delete}`),
      ])
      .sort();
  } finally {
    db.close();
  }
}

async function pgShape(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const cols = await c.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_app_migrations'`,
    );
    const idx = await c.query(
      `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_app_migrations'`,
    );
    const fks = await c.query(
      `SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f'`,
    );
    return [
      ...cols.rows.map((r) => `${r.table_name}.${r.column_name} ${r.data_type} ${r.is_nullable} ${r.column_default}`),
      ...idx.rows.map((r) => r.indexdef.replace(/INDEX "?[a-z0-9_]+"? ON/, "INDEX ON")),
      ...fks.rows.map((r) => `${r.t} ${r.def}`),
    ].sort();
  } finally {
    await c.end();
  }
}

it(`the ${testDbKind()} migration series builds the schema of prisma/models.prisma`, async () => {
  const kind = testDbKind();
  const stepwise = await freshDatabase("migrations-stepwise");
  const oneStep = await freshDatabase("migrations-onestep");
  created.push(stepwise, oneStep);
  const applied = await migrate(kind, stepwise.url);
  expect(applied.length).toBeGreaterThan(1);
  expect(await migrate(kind, stepwise.url)).toEqual([]);
  const sql = fromModelsSql(kind);
  if (kind === "sqlite") {
    const db = new Database(join(oneStep.dir, "app.db"));
    db.exec(sql);
    db.close();
    expect(sqliteShape(stepwise.sqliteFile!)).toEqual(sqliteShape(join(oneStep.dir, "app.db")));
  } else {
    const c = new pg.Client({ connectionString: oneStep.url });
    await c.connect();
    await c.query(sql);
    await c.end();
    expect(await pgShape(stepwise.url)).toEqual(await pgShape(oneStep.url));
  }
});
