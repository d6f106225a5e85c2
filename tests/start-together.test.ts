// Several instances started at the same moment on one new database, as an orchestrator starts
// replicas: every one must come up. Each round takes a fresh database, so the migration, the
// first key check and the erasure journal's replay all meet on an empty file or schema.
import { afterAll, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "./support/databases";
import { countRows, query } from "./support/inspect";
import { testSecrets } from "./support/secrets";
import { startApp, type TestApp } from "./support/server";

const ROUNDS = Number(process.env.ROUNDS ?? 4);
const INSTANCES = 3;
const apps: TestApp[] = [];
const dbs: TestDatabase[] = [];

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  for (const db of dbs) await db.drop();
});

it(
  `${INSTANCES} instances started at once on a new database all come up, ${ROUNDS} times`,
  { timeout: 300_000 },
  async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const db = await freshDatabase("start-together");
      dbs.push(db);
      const secrets = testSecrets();
      const started = await Promise.allSettled(
        Array.from({ length: INSTANCES }, () => startApp({ label: "start-together", db, secrets })),
      );
      for (const s of started) if (s.status === "fulfilled") apps.push(s.value);
      const refused = started.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
      expect(refused, `round ${round + 1}`).toEqual([]);
      // Each migration applied once, one check row per key kind, whoever got there first.
      const applied = await query<{ name: string }>({ db }, `SELECT name FROM "_app_migrations"`);
      expect(new Set(applied.map((r) => r.name)).size).toBe(applied.length);
      expect(await countRows({ db }, "key_checks")).toBe(2);
      await Promise.all(apps.splice(0).map((a) => a.stop()));
    }
  },
);
