// `npx tsx scripts/bench/page-cost.ts [--db sqlite|postgres] [--people 10000] [--requests 100] [--pages settings,blank] [--cpu-prof DIR] [--statements]`
// The server's CPU per page, one request at a time: the same app, people and visitors as the pages
// part of `npm run bench`, but no concurrency, so the figure is the page's own work and barely moves
// with the machine's load (CPU time, not wall time; /proc of the server process, 10 ms ticks over
// hundreds of requests). On PostgreSQL it also gives the database server's CPU per request, which
// shares the cores with the app. With --cpu-prof the server runs under `node --cpu-prof` and the profile is
// written to DIR when it stops (summarise it with scripts/bench/profile.ts --by-source).
import pg from "pg";
import { readdirSync, readFileSync } from "node:fs";
import { type TestDbKind } from "../../tests/support/databases";
import { cpuSecondsOf } from "./load";
import { PAGES, PATHS, preparePages, type PageName } from "./page-load";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const kind = (arg("db") ?? "sqlite") as TestDbKind;
const people = Number(arg("people") ?? 10_000);
const requests = Number(arg("requests") ?? 100);
const only = (arg("pages")?.split(",") ?? [...PAGES]) as PageName[];
const profDir = arg("cpu-prof");

const { app, visitor } = await preparePages(kind, {
  seconds: 1,
  connections: 1,
  people,
  env: { BENCH_ROUTES: "1", LOG_LEVEL: "warn", AUTH_MAX_AGE_SECONDS: "86400" },
  ...(profDir ? { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profDir}`] } : {}),
});
const pid = app.process.pid!;
// The PostgreSQL server's CPU (every process named postgres: the pool's backends live as long as the
// pool), which shares the two cores with the app: a page that costs the app little but the database
// much is not cheap. Zero on SQLite, where the database's work is in the app's own CPU.
function postgresCpuSeconds(): number {
  if (kind !== "postgres") return 0;
  let sum = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, "utf8").trim() === "postgres") sum += cpuSecondsOf(Number(d));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return sum;
}
const results: Record<
  string,
  {
    cpuUsPerRequest: number;
    dbCpuUsPerRequest: number;
    htmlBytes: number;
    transactionsPerRequest?: number;
    scansPerRequest?: number;
  }
> = {};
try {
  // Warm-up: every page, until the JIT has settled.
  for (let i = 0; i < 30; i++) for (const p of only) await (await visitor[p].get(PATHS[p])).arrayBuffer();
  // Interleaved rounds, so a change in the machine's load falls on every page alike.
  const cpuSeconds = Object.fromEntries(only.map((p) => [p, 0])) as Record<PageName, number>;
  const dbSeconds = Object.fromEntries(only.map((p) => [p, 0])) as Record<PageName, number>;
  const htmlBytes = Object.fromEntries(only.map((p) => [p, 0])) as Record<PageName, number>;
  const ROUND = 10;
  for (let done = 0; done < requests; done += ROUND) {
    for (const p of only) {
      const cpu = cpuSecondsOf(pid);
      const dbCpu = postgresCpuSeconds();
      for (let i = 0; i < ROUND; i++) {
        const res = await visitor[p].get(PATHS[p]);
        if (res.status !== 200) throw new Error(`${PATHS[p]} answered ${res.status}`);
        htmlBytes[p] = (await res.arrayBuffer()).byteLength;
      }
      cpuSeconds[p] += cpuSecondsOf(pid) - cpu;
      dbSeconds[p] += postgresCpuSeconds() - dbCpu;
    }
  }
  for (const p of only) {
    const n = Math.ceil(requests / ROUND) * ROUND;
    results[p] = {
      cpuUsPerRequest: (cpuSeconds[p] * 1e6) / n,
      dbCpuUsPerRequest: (dbSeconds[p] * 1e6) / n,
      htmlBytes: htmlBytes[p],
    };
    process.stderr.write(
      `page-cost: ${kind} ${p}: ${results[p].cpuUsPerRequest.toFixed(0)} µs CPU per request` +
        (kind === "postgres" ? `, PostgreSQL ${results[p].dbCpuUsPerRequest.toFixed(0)} µs\n` : "\n"),
    );
  }
  if (kind === "postgres" && process.argv.includes("--statements")) {
    // PostgreSQL's own counters, per page: transactions (every statement outside a transaction is
    // one) and table or index scans. A backend publishes its counters when idle, within 10 s.
    const pgc = new pg.Client({ connectionString: app.db.url });
    await pgc.connect();
    const read = async () => {
      await new Promise((r) => setTimeout(r, 11_000));
      const [x] = (
        await pgc.query(
          "SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()) AS xacts, (SELECT SUM(COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0)) FROM pg_stat_user_tables) AS scans",
        )
      ).rows as { xacts: string; scans: string }[];
      return { xacts: Number(x!.xacts), scans: Number(x!.scans) };
    };
    const N = 50;
    for (const p of only) {
      const before = await read();
      for (let i = 0; i < N; i++) await (await visitor[p].get(PATHS[p])).arrayBuffer();
      const after = await read();
      // Minus this client's own reading transaction.
      const xacts = (after.xacts - before.xacts - 1) / N;
      const scans = (after.scans - before.scans) / N;
      Object.assign(results[p]!, { transactionsPerRequest: xacts, scansPerRequest: scans });
      process.stderr.write(
        `page-cost: ${kind} ${p}: ${xacts.toFixed(1)} transactions, ${scans.toFixed(1)} scans per request\n`,
      );
    }
    await pgc.end();
  }
} finally {
  await app.stop("SIGINT");
  await app.db.drop();
}
console.log(JSON.stringify({ kind, people, requests, results }));
