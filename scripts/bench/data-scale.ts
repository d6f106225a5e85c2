// `tsx --conditions=react-server scripts/bench/data-scale.ts --sizes 10000,100000,1000000 --runs 5`
// against DATABASE_URL (a fresh database): seeds the smallest size with the real seeder (npm run
// seed), runs the purge once as the app's schedule would have, grows to each larger size by SQL
// copies of those people, and at each size times the no-live-consent check (which the report no
// longer runs), the admin report and the erasure of one person (best of --runs). Prints one JSON
// line; counts and timings only.
import { execFileSync } from "node:child_process";
import { db, disconnect } from "../../lib/data/db";
import { runConsentCheck } from "../../lib/data/consent-check";
import { eraseUser } from "../../lib/data/erase";
import { purgeExpired } from "../../lib/data/purge";
import { getMinimizationReport } from "../../lib/data/report";
import { copySyntheticPeople } from "../../lib/data/seed";
import { executeSql, queryRows, toCount } from "../../lib/data/sql";
import { env } from "../../lib/core/env";
import { timeRuns } from "./timing";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const sizes = arg("sizes", "10000,100000,1000000")
  .split(",")
  .map(Number)
  .sort((a, b) => a - b);
const runs = Math.max(1, Number(arg("runs", "5")));
const base = sizes[0]!;
if (sizes.some((s) => !Number.isInteger(s) || s <= 0 || s % base !== 0))
  throw new Error("--sizes must be whole multiples of the smallest size");

const best = (fn: () => Promise<unknown>, times = runs) => timeRuns(fn, times);

const started = performance.now();
execFileSync(
  process.execPath,
  [
    "--conditions=react-server",
    "--import",
    "tsx",
    "scripts/seed.ts",
    "--users",
    String(base),
    "--seed",
    "8",
    "--tag",
    "benchseed",
  ],
  { stdio: ["ignore", "ignore", "inherit"], env: process.env },
);
const seedSeconds = (performance.now() - started) / 1000;
const client = await db();
// The seed writes a year of history with no purge in it, so thousands of values are past their
// retention: a state a running site never reaches (its schedule purges every hour). The report's
// retention section costs the number of overdue values (docs/decisions/005), so measuring it on
// that state would time a purge backlog, not the report. Purge once, as the schedule would have.
const purged = await purgeExpired();
const points = [];
let copies = 1;
for (const size of sizes) {
  const want = size / base;
  const growStarted = performance.now();
  if (want > copies) {
    await copySyntheticPeople(want - copies, copies);
    copies = want;
    // Fresh planner statistics after the table grew tenfold, as autovacuum would gather them
    // (this machine's PostgreSQL runs with autovacuum off). SQLite keeps no statistics unless asked,
    // and the app never asks, so neither does the bench.
    if (env().databaseKind === "postgres") await executeSql(client, "ANALYZE");
    // Settle the bulk load before timing: gigabytes just written are still being flushed by the
    // OS (and sit in SQLite's WAL), and the first fsync of an erasure would wait for all of it.
    // A site of this size has no such backlog, so it is paid here, untimed, not in the erasure.
    await queryRows(client, env().databaseKind === "postgres" ? "CHECKPOINT" : "PRAGMA wal_checkpoint(TRUNCATE)");
  }
  const growSeconds = (performance.now() - growStarted) / 1000;
  const [u] = await queryRows<{ n: unknown }>(client, "SELECT COUNT(*) AS n FROM users");
  // The check the report reads the result of: linear by design, run beside the purge. Timed once
  // (it is the slow part at a million), so the report below reads a result from this size.
  const check = await best(() => runConsentCheck(), 1);
  for (let w = 0; w < 2; w++) await getMinimizationReport(); // warm-up: connection, JIT, page cache
  const report = await best(() => getMinimizationReport());
  // Different people each run, from the copies and the originals alike.
  const victims = await queryRows<{ id: string }>(
    client,
    `SELECT id FROM users ORDER BY telegram_id_index LIMIT ${runs + 1}`,
  );
  await eraseUser(victims.pop()!.id); // warm-up
  const erase = await best(async () => {
    if (!(await eraseUser(victims.pop()!.id))) throw new Error("erasure found no user");
  });
  const r = await getMinimizationReport();
  points.push({
    size,
    users: toCount(u?.n),
    check,
    report,
    erase,
    growSeconds,
    pastRetention: r.retention.pastRetentionTotal,
  });
  process.stderr.write(
    `data-scale: ${size} users: check ${check.bestMs.toFixed(0)} ms, report ${report.bestMs.toFixed(1)} ms, erase ${erase.bestMs.toFixed(1)} ms, grown in ${growSeconds.toFixed(0)} s\n`,
  );
}
await disconnect();
console.log(
  JSON.stringify({
    seedSeconds,
    purged: { accounts: purged.accountsErased, fields: purged.fieldsErased },
    runs,
    points,
  }),
);
