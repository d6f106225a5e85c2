// `npx tsx scripts/bench/peers-commits.ts [--signins 300] [--systems us,authjs,better-auth]`
// What one returning person's sign-in asks of PostgreSQL, for us and each peer: the database's own
// counters (pg_stat_database: committed transactions, rows inserted, updated, deleted, returned)
// across a run of sign-ins one at a time, divided by the sign-ins. Counters of a database no other
// client uses, so the figures are exact, whatever else loads the machine (docs/decisions/012-peer-benchmark.md).
import pg from "pg";
import { cpuSecondsOf } from "./load";
import { enrol, freshPayloads, people, PEERS, preparePeer, startPeer, startUs, type Running } from "./peers";

const i = process.argv.indexOf("--signins");
const SIGN_INS = i >= 0 ? Number(process.argv[i + 1]) : 300;
const s = process.argv.indexOf("--systems");
// `--systems us` measures our sign-in alone, without installing or building the peers.
const SYSTEMS = s >= 0 ? process.argv[s + 1]!.split(",") : ["us", ...PEERS];
const BENCH_ENV = { BENCH_ROUTES: "1", LOG_LEVEL: "warn", AUTH_MAX_AGE_SECONDS: "86400" };
const COUNTERS = [
  "xact_commit",
  "tup_inserted",
  "tup_updated",
  "tup_deleted",
  "tup_returned",
  "tup_fetched",
  "blks_hit",
] as const;

async function counters(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // The statistics a backend reports are flushed at most once a second, and at its exit.
    await c.query("SELECT pg_stat_force_next_flush()").catch(() => {});
    const row = (
      await c.query(`SELECT ${COUNTERS.join(", ")} FROM pg_stat_database WHERE datname = current_database()`)
    ).rows[0] as Record<string, string>;
    return Object.fromEntries(COUNTERS.map((k) => [k, Number(row[k])]));
  } finally {
    await c.end();
  }
}

/** CPU seconds so far of each PostgreSQL backend serving this database (the pools keep them for the whole run). */
async function backendCpu(url: string): Promise<Map<number, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const pids = (
      await c.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
    ).rows as { pid: number }[];
    return new Map(pids.map(({ pid }) => [pid, cpuSecondsOf(pid)]));
  } finally {
    await c.end();
  }
}

async function measure(sys: Running): Promise<Record<string, string>> {
  const who = people(20, 4_800_000_000_000 + Math.floor(Math.random() * 1e9) * 10);
  const enrolled = Math.floor(Date.now() / 1000);
  await enrol(sys, who);
  // Dated before every enrolment payload, so none is a replay.
  const payloads = freshPayloads(who, SIGN_INS, enrolled - 2).map((p) => sys.signIn(p));
  await new Promise((r) => setTimeout(r, 1500));
  const before = await counters(sys.db.url);
  const pgStart = await backendCpu(sys.db.url);
  const nodeCpu0 = cpuSecondsOf(sys.pid);
  let ok = 0;
  for (const r of payloads) {
    const res = await fetch(`${sys.origin}${r.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: sys.origin, ...r.headers },
      body: r.body,
    });
    if (sys.accept(res.status, await res.text())) ok++;
  }
  const nodeCpu = cpuSecondsOf(sys.pid) - nodeCpu0;
  // A backend that started during the run counts from zero.
  const pgCpu = [...(await backendCpu(sys.db.url))].reduce((sum, [pid, cpu]) => sum + cpu - (pgStart.get(pid) ?? 0), 0);
  await new Promise((r) => setTimeout(r, 1500));
  const after = await counters(sys.db.url);
  // The two counter reads are transactions of their own: one of them is inside the window.
  return {
    "sign-ins": String(ok),
    "node CPU ms": ((nodeCpu * 1000) / ok).toFixed(2),
    "PostgreSQL CPU ms": ((pgCpu * 1000) / ok).toFixed(2),
    ...Object.fromEntries(
      COUNTERS.map((k) => [k, ((after[k]! - before[k]! - (k === "xact_commit" ? 1 : 0)) / ok).toFixed(2)]),
    ),
  };
}

const peers = PEERS.filter((p) => SYSTEMS.includes(p));
for (const peer of peers) preparePeer(peer);
const table: Record<string, Record<string, string>> = {};
const starts = [...(SYSTEMS.includes("us") ? [() => startUs("postgres", BENCH_ENV)] : [])];
for (const start of [...starts, ...peers.map((p) => () => startPeer(p, "postgres"))]) {
  const sys = await start();
  try {
    table[sys.name] = await measure(sys);
  } finally {
    await sys.stop();
    await sys.db.drop();
  }
}
console.table(table);
