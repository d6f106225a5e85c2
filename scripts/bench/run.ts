// `npm run bench [-- --quick] [--db sqlite,postgres] [--sizes 10000,100000,1000000] [--only data|signin|pages|peers] [--pages] [--out DIR]`
// `npm run bench -- --smoke`: the harness's own test (scripts/bench/smoke.test.ts), which runs the
// quick mode into a scratch folder and checks that every figure and both outputs are there.
// Every figure is a ratio against a reference measured in the same run on the same machine: these
// machines are shared and noisy, so absolute times alone would say little. Loopback only; every
// measurement has a fixed duration or count and stops by itself. Writes BENCHMARKS.md and
// bench-results.json (into --out, default the working directory). Prints no personal data: the
// people are synthetic and only counts and timings are reported.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freshDatabase, type TestDbKind } from "../../tests/support/databases";
import { startApp, type TestApp } from "../../tests/support/server";
import { measureHmac } from "./hmac";
import {
  alternate,
  createReturningUsers,
  load,
  memoryOf,
  PACED_LEAD_SECONDS,
  payloadPool,
  windowRatios,
  type LoadResult,
} from "./load";
import { measurePageLoad, pageFigures } from "./page-load";
import { measurePages } from "./pages";
import { writeReport, type Figure, type PeersRun, type Run } from "./output";
import { measurePeers } from "./peers-run";

if (process.argv.includes("--smoke")) {
  const smoke = spawnSync("npx", ["vitest", "run", "--config", "vitest.bench.config.ts"], { stdio: "inherit" });
  process.exit(smoke.status ?? 1);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes("--quick");
const kinds = (arg("db") ?? "sqlite,postgres").split(",") as TestDbKind[];
const sizes = arg("sizes") ?? (quick ? "200,400" : "10000,100000,1000000");
// One part alone, e.g. after changing the report: "data" (report, check, erasure) or "signin"
// (everything that needs the app server: sign-in load, pages, memory, two instances, HMAC), or
// "pages" (every page a person or an admin reaches against the blank page; `--pages` says the same), or
// "peers" (our sign-in beside Auth.js and Better Auth, speed and privacy; installs and builds them).
const only = process.argv.includes("--pages") ? "pages" : arg("only");
if (only !== undefined && only !== "data" && only !== "signin" && only !== "pages" && only !== "peers")
  throw new Error("--only takes data, signin, pages or peers");
// Internal: one database's sign-in or pages part, run by the parent in a process of its own (see
// inChild), writing its figures to this file instead of the report.
const child = arg("child");
const outDir = arg("out") ?? ".";
// Seconds per load phase, connections, returning users.
const SECONDS = quick ? 1 : 10;
const CONNECTIONS = quick ? 4 : 16;
const USERS = quick ? 5 : 100;
// People in the database the pages are measured on (the admin report's size).
const PAGE_PEOPLE = quick ? 200 : 10_000;
// The command as a reader would repeat it: where the results are written (--out) changes no figure.
const measuring = process.argv.slice(2).filter((a, i, all) => a !== "--out" && all[i - 1] !== "--out");
const command = `npm run bench${measuring.length ? ` -- ${measuring.join(" ")}` : ""}`;

const figures: Figure[] = [];
const raw: Record<string, unknown> = {};
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

const BENCH_ENV = { BENCH_ROUTES: "1", LOG_LEVEL: "warn", AUTH_MAX_AGE_SECONDS: "86400" };

async function signInLoad(kind: TestDbKind, app: TestApp): Promise<LoadResult> {
  const url = app.url;
  const ids = await createReturningUsers(url, USERS, 7_000_000_000 + Math.floor(Math.random() * 1e9));
  await settle(app);
  // Enough payloads for every sign-in phase at a generous rate; signing happens before the clock runs.
  const bodies = payloadPool(ids, quick ? 10_000 : 100_000);
  let used = 100;
  const take = (n: number) => bodies.slice(used, (used += n));
  const budget = quick ? 1000 : 18_000;
  const base = { urls: [url], origin: app.origin, seconds: SECONDS, connections: CONNECTIONS };
  // The bare route never reads its body: one payload shape, sent round and round.
  const bare = { ...base, path: "/api/bench/bare", bodies: bodies.slice(0, 100), reuse: true };
  await load({ ...bare, seconds: 1 }); // warm-up
  // Three seconds of sign-ins: the server's JIT and the database's caches settle before the clock runs.
  await load({ ...base, path: "/api/auth/telegram", bodies: take(budget), seconds: quick ? 1 : 3 });
  const idle = memoryOf(app.process.pid!);
  const pid = app.process.pid!;
  // At saturation, the bare route and the sign-in in alternating windows (load.ts, alternate): as many
  // seconds of each as one window of SECONDS used to be, twice over. Measured one after the other,
  // the PostgreSQL ratio read 0.73, 0.65, 0.48, 0.47 and 0.52 in five runs of the same code.
  const window = quick ? 1 : SECONDS / 2;
  const [bareSide, signInSide] = await alternate(
    pid,
    () => load({ ...bare, seconds: window }),
    () => load({ ...base, seconds: window, path: "/api/auth/telegram", bodies: take((budget * window) / SECONDS) }),
    quick ? 1 : 2,
  );
  const { r: bareMax, cpuMs: bareCpuMs } = bareSide;
  const { r: signInMax, cpuMs: signInCpuMs } = signInSide;
  const rate = 0.7 * bareMax.rps;
  const bareFixed = await load({ ...bare, rate });
  // Every request due at the fixed rate, lead-in included, has a payload of its own.
  const due = Math.ceil(rate * (SECONDS + PACED_LEAD_SECONDS)) + 100;
  const signInFixed = await load({ ...base, path: "/api/auth/telegram", bodies: take(due), rate });
  const afterLoad = memoryOf(app.process.pid!);
  raw[`${kind}.signIn`] = {
    bareCpuMs,
    signInCpuMs,
    bareMax,
    signInMax,
    windows: { bare: bareSide.windows, signIn: signInSide.windows },
    rate,
    bareFixed,
    signInFixed,
    idleRssBytes: idle.rss,
    peakRssBytes: afterLoad.peak,
  };
  const failed = [bareMax, signInMax, bareFixed, signInFixed].reduce((n, r) => n + r.failed, 0);
  if (failed) log(`${kind}: ${failed} requests failed or answered non-2xx during the sign-in load`);
  figures.push(
    {
      db: kind,
      figure: "Sign-in throughput at saturation / bare route at saturation",
      value: ratio(signInMax.rps, bareMax.rps),
      reference: `bare route ${bareMax.rps.toFixed(0)} req/s; sign-in ${signInMax.rps.toFixed(0)} req/s (${CONNECTIONS} connections, ${bareSide.windows.length} alternating windows of ${window} s each; ${windowRatios(bareSide.windows, signInSide.windows)})`,
      target: ">= 0.60",
    },
    {
      db: kind,
      figure: `Sign-in throughput at a fixed ${rate.toFixed(0)} req/s / bare route at the same rate`,
      value: ratio(signInFixed.rps, bareFixed.rps),
      reference: `70% of the bare route's maximum; bare delivered ${bareFixed.rps.toFixed(0)} req/s`,
    },
    {
      db: kind,
      figure: "Sign-in p99 latency / bare route p99, same fixed rate",
      value: ratio(signInFixed.p99Ms, bareFixed.p99Ms),
      reference: `bare p99 ${bareFixed.p99Ms} ms, sign-in p99 ${signInFixed.p99Ms} ms`,
    },
    {
      db: kind,
      figure: "Server CPU time per sign-in / per bare request (at saturation)",
      value: ratio(signInCpuMs, bareCpuMs),
      reference: `bare ${bareCpuMs.toFixed(2)} ms, sign-in ${signInCpuMs.toFixed(2)} ms of server CPU per request; sign-in wall time per request ${(1000 / signInMax.rps).toFixed(1)} ms`,
    },
    {
      db: kind,
      figure: "Server peak RSS under sign-in load / idle RSS",
      value: ratio(afterLoad.peak, idle.rss),
      reference: `idle ${(idle.rss / 2 ** 20).toFixed(0)} MiB after warm-up, peak (VmHWM) ${(afterLoad.peak / 2 ** 20).toFixed(0)} MiB`,
    },
  );
  return signInMax;
}

/**
 * Before the clock runs, the same starting state whatever ran before: on PostgreSQL, planner
 * statistics for the tables the sign-in reads (this machine's server runs with autovacuum off, so a
 * fresh database's tables are never analyzed otherwise) and a checkpoint, so no write-back of the
 * setup's pages falls into the measurement; on both, the OS's dirty pages written to disk (the
 * SQLite half writes gigabytes with synchronous=FULL, and PostgreSQL's commits wait on fsync behind them).
 */
async function settle(app: TestApp): Promise<void> {
  if (app.db.kind === "postgres") {
    const client = new pg.Client({ connectionString: app.db.url });
    await client.connect();
    try {
      await client.query("VACUUM ANALYZE");
      await client.query("CHECKPOINT");
    } finally {
      await client.end();
    }
  }
  execFileSync("sync");
}

async function twoInstances(app: TestApp): Promise<void> {
  // A second instance on the same database and secrets, behind the same public origin (as behind a
  // load balancer); autocannon spreads the same connections over both.
  const secrets = Object.fromEntries(
    ["TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_USERNAME", "SESSION_SECRET", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY"].map(
      (k) => [k, app.env[k]!],
    ),
  );
  const second = await startApp({
    label: "bench2",
    db: app.db,
    secrets,
    env: { ...BENCH_ENV, APP_ORIGIN: app.origin },
  });
  try {
    const ids = await createReturningUsers(app.url, USERS, 8_000_000_000 + Math.floor(Math.random() * 1e9));
    const bodies = payloadPool(ids, quick ? 3000 : 40_000);
    const half = bodies.length / 2;
    const base = { origin: app.origin, path: "/api/auth/telegram", seconds: SECONDS, connections: CONNECTIONS };
    const one = await load({ ...base, urls: [app.url], bodies: bodies.slice(0, half) });
    const two = await load({ ...base, urls: [app.url, second.url], bodies: bodies.slice(half) });
    raw["postgres.twoInstances"] = { one, two };
    figures.push({
      db: "postgres",
      figure: "Sign-in throughput, two app instances / one (same load generator, same connections)",
      value: ratio(two.rps, one.rps),
      reference: `one instance ${one.rps.toFixed(0)} req/s, two ${two.rps.toFixed(0)} req/s; ${cpus().length} cores shared by the instances, PostgreSQL and the load generator`,
    });
  } finally {
    await second.stop();
  }
}

function dataScale(kind: TestDbKind, url: string, dir: string): void {
  const out = execFileSync(
    process.execPath,
    [
      "--conditions=react-server",
      "--import",
      "tsx",
      "scripts/bench/data-scale.ts",
      "--sizes",
      sizes,
      "--runs",
      quick ? "2" : "5",
    ],
    {
      env: { ...process.env, DATABASE_URL: url, DATA_DIR: dir, NODE_ENV: "development", LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "inherit"],
      encoding: "utf8",
    },
  );
  const result = JSON.parse(out.trim().split("\n").at(-1)!) as {
    seedSeconds: number;
    points: {
      size: number;
      users: number;
      check: { bestMs: number };
      report: { bestMs: number };
      erase: { bestMs: number };
      growSeconds: number;
      pastRetention: unknown;
    }[];
  };
  raw[`${kind}.dataScale`] = result;
  const [first, ...rest] = result.points;
  for (const p of rest) {
    figures.push(
      {
        db: kind,
        figure: `Admin report at ${p.size.toLocaleString("en")} users / at ${first!.size.toLocaleString("en")}`,
        value: ratio(p.report.bestMs, first!.report.bestMs),
        reference: `${first!.report.bestMs.toFixed(1)} ms at ${first!.users} users, ${p.report.bestMs.toFixed(1)} ms at ${p.users} (best of runs)`,
        target: "<= 3",
      },
      {
        db: kind,
        figure: `Erasing one user at ${p.size.toLocaleString("en")} users / at ${first!.size.toLocaleString("en")}`,
        value: ratio(p.erase.bestMs, first!.erase.bestMs),
        reference: `${first!.erase.bestMs.toFixed(1)} ms / ${p.erase.bestMs.toFixed(1)} ms (best of runs, one transaction${kind === "sqlite" ? " and the WAL checkpoint" : ""})`,
        target: "<= 1.5",
      },
      {
        db: kind,
        figure: `No-live-consent check (run beside the purge, not by the report) at ${p.size.toLocaleString("en")} users / at ${first!.size.toLocaleString("en")}`,
        value: ratio(p.check.bestMs, first!.check.bestMs),
        reference: `${first!.check.bestMs.toFixed(0)} ms / ${p.check.bestMs.toFixed(0)} ms (one run; linear by design; grown to this size by SQL copies in ${p.growSeconds.toFixed(0)} s)`,
      },
    );
  }
}

const started = Date.now();
if (child !== undefined) {
  // One database's part in a process of its own: nothing of another part (the other database's
  // pool, server, heap of signed payloads, JIT state) is in this process or its event loop.
  const kind = kinds[0]!;
  if (only === "pages") await pagesPart(kind);
  else await appFigures(kind);
  writeFileSync(child, JSON.stringify({ figures, raw }));
  process.exit(0);
}

/**
 * Runs one database's sign-in or pages part in a child process of this script and takes its figures.
 * The PostgreSQL sign-in ratio moved from run to run (docs/measurements/pages-cost-log.md): each
 * half now starts from the same state whatever ran before it in this process.
 */
function inChild(kind: TestDbKind, part: "signin" | "pages", extra: string[] = []): void {
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  const file = join(dir, "part.json");
  try {
    execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/bench/run.ts",
        "--child",
        file,
        "--db",
        kind,
        "--only",
        part,
        ...(quick ? ["--quick"] : []),
        ...extra,
      ],
      { stdio: ["ignore", "inherit", "inherit"], env: process.env },
    );
    const got = JSON.parse(readFileSync(file, "utf8")) as { figures: Figure[]; raw: Record<string, unknown> };
    figures.push(...got.figures);
    Object.assign(raw, got.raw);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let peers: PeersRun | undefined;
// The peers are installed and built on first use (minutes): the full run measures them, but its quick
// mode, which `npm run bench -- --smoke` runs, leaves them out unless asked for by name.
if (only === "peers" || (only === undefined && !quick)) {
  peers = await measurePeers({
    kinds,
    command,
    quick,
    seconds: SECONDS,
    connections: CONNECTIONS,
    users: quick ? 5 : 100,
    env: BENCH_ENV,
  });
}
if (only === "peers") {
  // The peers alone: the rest of the report stays what the last run measured.
  const previous = join(outDir, "bench-results.json");
  const last = existsSync(previous) ? (JSON.parse(readFileSync(previous, "utf8")) as Run) : undefined;
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
  writeReport(outDir, {
    ...(last ?? { date: new Date().toISOString(), command, quick, machine, sizes, seconds: 0, figures: [], raw: {} }),
    peers,
  });
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(0);
}
if (only === undefined || only === "signin") {
  log(`HMAC micro-benchmark`);
  const hmac = await measureHmac(quick ? 100 : 1000);
  raw.hmac = hmac;
  figures.push({
    db: "-",
    figure: "HMAC check: node:crypto with a cached key / @telegram-auth/server validate (ops/s)",
    value: ratio(hmac.cachedKeyOps, hmac.libraryOps),
    reference: `validate ${hmac.libraryOps.toFixed(0)}/s, cached-key createHmac ${hmac.cachedKeyOps.toFixed(0)}/s, the app's verifyWidgetPayload ${hmac.verifyWidgetPayloadOps.toFixed(0)}/s`,
  });
}

for (const kind of kinds) {
  if (only === undefined || only === "signin") inChild(kind, "signin", kind === kinds[0] ? ["--first-load-js"] : []);
  if (only === undefined || only === "pages") inChild(kind, "pages");
  if (only === "signin" || only === "pages") continue;
  log(`${kind}: admin report and erasure at ${sizes} users`);
  const db = await freshDatabase(`benchdata${kind}`, kind);
  try {
    dataScale(kind, db.url, db.dir);
  } finally {
    await db.drop();
  }
}

async function appFigures(kind: TestDbKind): Promise<void> {
  log(`${kind}: starting the app`);
  const app = await startApp({ label: `bench${kind}`, db: await freshDatabase(`bench${kind}`, kind), env: BENCH_ENV });
  try {
    log(`${kind}: first-load JavaScript`);
    const pages = await measurePages(app.url, String(6_000_000_000 + Math.floor(Math.random() * 1e9)));
    raw[`${kind}.pages`] = pages;
    // The bytes are the same on both databases: the parent asks the first database's child for them.
    if (process.argv.includes("--first-load-js")) {
      for (const page of ["home", "consent", "settings"] as const) {
        figures.push({
          db: "-",
          figure: `First-load JS of the ${page} page / blank page`,
          value: ratio(pages[page].bytes, pages.blank.bytes),
          reference: `blank ${pages.blank.bytes} B (${pages.blank.gzipBytes} B gzip, ${pages.blank.scripts} scripts); ${page} ${pages[page].bytes} B (${pages[page].gzipBytes} B gzip, ${pages[page].scripts} scripts); gzip ratio ${ratio(pages[page].gzipBytes, pages.blank.gzipBytes).toFixed(2)}`,
        });
      }
    }
    log(`${kind}: sign-in load`);
    const signInMax = await signInLoad(kind, app);
    // The child measures the HMAC itself, in its own process: the share below divides by it.
    const hmac =
      (raw.hmac as Awaited<ReturnType<typeof measureHmac>> | undefined) ?? (await measureHmac(quick ? 100 : 1000));
    figures.push({
      db: kind,
      figure: "Share of one sign-in spent in verifyWidgetPayload (time per verify / time per sign-in at saturation)",
      value: ratio(signInMax.rps, hmac.verifyWidgetPayloadOps),
      reference: `verify ${(1e6 / hmac.verifyWidgetPayloadOps).toFixed(0)} µs in this process; sign-in ${(1e6 / signInMax.rps).toFixed(0)} µs of server wall time per request at ${signInMax.rps.toFixed(0)} req/s`,
    });
    if (kind === "postgres") {
      log(`postgres: two instances against one`);
      await twoInstances(app);
    }
  } finally {
    await app.stop();
  }
  await app.db.drop();
}

async function pagesPart(kind: TestDbKind): Promise<void> {
  const run = await measurePageLoad(
    kind,
    // Two seconds in quick mode: a page's first answers on a busy machine can take most of one.
    { seconds: quick ? 2 : SECONDS, connections: CONNECTIONS, people: PAGE_PEOPLE, env: BENCH_ENV },
    log,
  );
  raw[`${kind}.pageLoad`] = run;
  figures.push(...pageFigures(run));
}

const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};
// A run without the peers keeps the peers section of the last run that measured them.
const lastPeers = existsSync(join(outDir, "bench-results.json"))
  ? (JSON.parse(readFileSync(join(outDir, "bench-results.json"), "utf8")) as Run).peers
  : undefined;
writeReport(outDir, {
  date: new Date().toISOString(),
  command,
  quick,
  machine,
  sizes,
  seconds: (Date.now() - started) / 1000,
  figures,
  raw,
  peers: peers ?? lastPeers,
});
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
