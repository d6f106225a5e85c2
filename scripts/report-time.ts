// `npm run report:time [-- --runs 5]`: times the admin report against the configured database
// (after a seed), the whole report and its one linear part separately. Prints timings only.
import { db, disconnect } from "../lib/db";
import { countStoredWithoutConsent, getMinimizationReport } from "../lib/data/report";

const i = process.argv.indexOf("--runs");
const runs = i >= 0 ? Math.max(1, Number(process.argv[i + 1]) || 5) : 5;

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: connection, migrations check, caches
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const client = await db();
const users = await client.counter.findUnique({ where: { name: "users" } });
const report = await median(() => getMinimizationReport());
const antiJoin = await median(() => countStoredWithoutConsent(client));
await disconnect();
console.log(JSON.stringify({ users: users?.value ?? 0, runs, reportMs: Math.round(report * 10) / 10, noLiveConsentCheckMs: Math.round(antiJoin * 10) / 10, restMs: Math.round((report - antiJoin) * 10) / 10 }));
