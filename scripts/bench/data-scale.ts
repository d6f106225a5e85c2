// `tsx --conditions=react-server scripts/bench/data-scale.ts --sizes 10000,100000 --runs 5` against
// DATABASE_URL (a fresh database): seeds the smallest size with the real seeder (npm run seed),
// grows to each larger size by SQL copies of those people, and at each size times the admin report
// and the erasure of one person (best of --runs). Prints one JSON line; counts and timings only.
import { execFileSync } from "node:child_process";
import { db, disconnect } from "../../lib/db";
import { eraseUser } from "../../lib/data/erase";
import { getMinimizationReport } from "../../lib/data/report";
import { copySyntheticPeople } from "../../lib/data/seed";
import { queryRows, toCount } from "../../lib/data/sql";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const sizes = arg("sizes", "10000,100000").split(",").map(Number).sort((a, b) => a - b);
const runs = Math.max(1, Number(arg("runs", "5")));
const base = sizes[0]!;
if (sizes.some((s) => !Number.isInteger(s) || s <= 0 || s % base !== 0)) throw new Error("--sizes must be whole multiples of the smallest size");

async function best(fn: () => Promise<unknown>): Promise<{ bestMs: number; medianMs: number }> {
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { bestMs: times[0]!, medianMs: times[Math.floor(times.length / 2)]! };
}

const started = performance.now();
execFileSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/seed.ts", "--users", String(base), "--seed", "8", "--tag", "benchseed"], { stdio: ["ignore", "ignore", "inherit"], env: process.env });
const seedSeconds = (performance.now() - started) / 1000;
const client = await db();
const points = [];
let copies = 1;
for (const size of sizes) {
  const want = size / base;
  const growStarted = performance.now();
  if (want > copies) {
    await copySyntheticPeople(want - copies, copies);
    copies = want;
  }
  const growSeconds = (performance.now() - growStarted) / 1000;
  const [u] = await queryRows<{ n: unknown }>(client, "SELECT COUNT(*) AS n FROM users");
  for (let w = 0; w < 2; w++) await getMinimizationReport(); // warm-up: connection, JIT, page cache
  const report = await best(() => getMinimizationReport());
  // Different people each run, from the copies and the originals alike.
  const victims = await queryRows<{ id: string }>(client, `SELECT id FROM users ORDER BY telegram_id_index LIMIT ${runs + 1}`);
  await eraseUser(victims.pop()!.id); // warm-up
  const erase = await best(async () => {
    if (!(await eraseUser(victims.pop()!.id))) throw new Error("erasure found no user");
  });
  points.push({ size, users: toCount(u?.n), report, erase, growSeconds });
  process.stderr.write(`data-scale: ${size} users: report ${report.bestMs.toFixed(1)} ms, erase ${erase.bestMs.toFixed(1)} ms\n`);
}
await disconnect();
console.log(JSON.stringify({ seedSeconds, runs, points }));
