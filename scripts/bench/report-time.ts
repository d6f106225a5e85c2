// `npm run report:time [-- --runs 5]`: times the admin report against the configured database
// (after a seed): the whole report, the no-live-consent check (linear; run beside the purge, not
// by the report) and the retention check, whose cost follows the number of overdue values.
// Prints timings only.
import { db, disconnect } from "../../lib/data/db";
import { readRows } from "../../lib/data/direct-read";
import { countStoredWithoutConsent } from "../../lib/data/consent-check";
import { countPastRetention, getMinimizationReport } from "../../lib/data/report";
import { timeRuns } from "./timing";

const i = process.argv.indexOf("--runs");
const runs = i >= 0 ? Math.max(1, Number(process.argv[i + 1]) || 5) : 5;

// Median and best of the runs: on a busy machine the best run is the closest to the query's own cost.
const best: Record<string, number> = {};
async function median(fn: () => Promise<unknown>, label = ""): Promise<number> {
  await fn(); // warm-up: connection, migrations check, caches
  const { bestMs, medianMs } = await timeRuns(fn, runs);
  if (label) best[label] = Math.round(bestMs * 10) / 10;
  return medianMs;
}

const client = await db();
const users = await client.counter.findUnique({ where: { name: "users" } });
const report = await median(() => getMinimizationReport(), "reportMs");
const antiJoin = await median(() => countStoredWithoutConsent(client), "noLiveConsentCheckMs");
const retention = await median(() => countPastRetention(readRows, new Date()), "pastRetentionCheckMs");
// Exact, not the report's published (rounded) figure: this is the operator's own measurement.
const overdue = [...(await countPastRetention(readRows, new Date())).perField.values()].reduce((a, b) => a + b, 0);
await disconnect();
console.log(
  JSON.stringify({
    users: users?.value ?? 0,
    runs,
    reportMs: Math.round(report * 10) / 10,
    noLiveConsentCheckMs: Math.round(antiJoin * 10) / 10,
    pastRetentionCheckMs: Math.round(retention * 10) / 10,
    overdueValues: overdue,
    best,
  }),
);
