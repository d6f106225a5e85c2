// `tsx --conditions=react-server scripts/bench/page-people.ts --users N --person TELEGRAM_ID` against
// DATABASE_URL (the page benchmark's app database, with the app's keys in the environment): seeds N
// synthetic people with the real seeder (npm run seed) for the admin report, purges once as the
// app's schedule would have (the seed's year of history holds a backlog a running site never has),
// and adds one synthetic person who granted every purpose and shared a phone number, whose settings,
// export and receipt pages the benchmark then reads. Prints one JSON line; counts only.
import { execFileSync } from "node:child_process";
import { disconnect } from "../../lib/db";
import { catalogue } from "../../lib/catalogue";
import { purgeExpired } from "../../lib/data/purge";
import { insertSyntheticPeople } from "../../lib/data/seed";
import { executeSql, queryRows } from "../../lib/data/sql";
import { db } from "../../lib/db";
import { env } from "../../lib/env";

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) throw new Error(`--${name} is required`);
  return process.argv[i + 1]!;
}
const users = Number(arg("users"));
const telegramId = BigInt(arg("person"));

const started = performance.now();
execFileSync(
  process.execPath,
  ["--conditions=react-server", "--import", "tsx", "scripts/seed.ts", "--users", String(users), "--tag", "benchpage"],
  { stdio: ["ignore", "ignore", "inherit"], env: process.env },
);
const purged = await purgeExpired();
// Decided a week ago, signed in yesterday: every value is inside its retention period.
const now = Date.now();
const createdAt = new Date(now - 7 * 86_400_000);
await insertSyntheticPeople([
  {
    telegramId,
    createdAt,
    lastSignInAt: new Date(now - 86_400_000),
    decisions: catalogue().map((p) => ({ at: createdAt, purposeId: p.id, granted: true, method: "page" as const })),
    values: {
      first_name: "Bench",
      last_name: "Pages",
      username: "bench_pages",
      photo_url: "https://t.me/i/userpic/320/benchpages.jpg",
      phone_number: "+15550000001",
    },
  },
]);
// Planner statistics for the freshly loaded tables, as autovacuum would gather them (this machine's
// PostgreSQL runs with autovacuum off, so without this every plan guesses at empty tables).
// Then the bulk load is settled (checkpointed) untimed, so its write-back does not fall into the load.
if (env().databaseKind === "postgres") {
  await executeSql(await db(), "VACUUM ANALYZE");
  await executeSql(await db(), "CHECKPOINT");
} else await queryRows(await db(), "PRAGMA wal_checkpoint(TRUNCATE)");
await disconnect();
console.log(
  JSON.stringify({
    seedSeconds: (performance.now() - started) / 1000,
    purged: { accounts: purged.accountsErased, fields: purged.fieldsErased },
  }),
);
