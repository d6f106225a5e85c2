// Writes the benchmark results: BENCHMARKS.md for people, bench-results.json for programs.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadResult } from "./load";
import type { Privacy, SystemName } from "./peers";

export type Figure = { db: string; figure: string; value: number; reference: string; target?: string };

export type Run = {
  date: string;
  command: string;
  quick: boolean;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string };
  sizes: string;
  seconds: number;
  figures: Figure[];
  raw: Record<string, unknown>;
  /** The peer benchmark (issue 16), which `--only peers` measures alone and other runs carry over. */
  peers?: PeersRun;
};

export type SystemResult = {
  label: string;
  max: LoadResult;
  cpuMsPerSignIn: number;
  fixed: LoadResult;
  privacy: Privacy;
};
export type PeersKind = {
  db: string;
  rate: number;
  bare: { max: LoadResult; fixed: LoadResult; cpuMs: number };
  systems: Partial<Record<SystemName, SystemResult>>;
  errors: Partial<Record<SystemName, string>>;
  figures: Figure[];
};
export type PeersRun = { date: string; command: string; quick: boolean; seconds: number; kinds: PeersKind[] };

const SYSTEMS: SystemName[] = ["us", "authjs", "better-auth"];
const FIELD_NAMES = {
  id: "Telegram id",
  first_name: "first name",
  last_name: "last name",
  username: "username",
  photo_url: "photo URL",
} as const;

function peersSection(p: PeersRun): string[] {
  const lines = [
    "## Side by side with the peers (issue 16)",
    "",
    `- Date: ${p.date}${p.quick ? " (quick mode: too short to mean anything, proves the harness only)" : ""}`,
    `- Command: \`${p.command}\` (took ${Math.round(p.seconds)} s); the load generator, the apps and the databases share one machine,`,
    "  so absolute rates are noisy; the ratios compare systems measured minutes apart in the same run.",
    "- Peers: minimal Next.js apps under bench/peers/ with their own lockfiles, installed and built by this",
    "  command only (docs/decisions/012-peer-benchmark.md says how each is configured and why).",
    "- Fixed rate: 70% of the slowest system's sign-in maximum, the same for all, each system's 10 s window",
    "  after 2 s at that rate that are not counted (scripts/bench/load.ts, `paced`).",
    "",
    "### Speed",
    "",
    "| Figure | Database | Value (ratio) | Target | Reference, measured in the same run | Command |",
    "| --- | --- | --- | --- | --- | --- |",
    ...p.kinds.flatMap((k) =>
      k.figures.map(
        (f) =>
          `| ${cell(f.figure)} | ${f.db} | ${Number.isFinite(f.value) ? f.value.toFixed(2) : "n/a"} | ${verdict(f)} | ${cell(f.reference)} | \`${p.command}\` |`,
      ),
    ),
    "",
  ];
  for (const k of p.kinds) {
    const errors = Object.entries(k.errors);
    if (errors.length) lines.push(...errors.map(([s, e]) => `- ${k.db}: ${s} was not measured: ${cell(e!)}`), "");
  }
  lines.push(
    "### Privacy, measured after the same sign-ins",
    "",
    "Each database was dumped after the load above (SQLite: the file with its WAL or journal; PostgreSQL:",
    "`pg_dump --data-only --inserts`) and searched for every synthetic person's values in utf8, utf16, base64,",
    'hex and URL encoding (ids also as 6- and 8-byte integers). "n of N" = for how many of the N people that',
    "value was found. Our people approved name, username and photo; the peers store what they map.",
    "",
  );
  for (const k of p.kinds) {
    const sys = SYSTEMS.map((s) => k.systems[s]);
    const row = (what: string, f: (r: SystemResult) => string) =>
      `| ${what} | ${sys.map((r) => (r ? cell(f(r)) : "-")).join(" | ")} |`;
    lines.push(
      `| What is kept (${k.db}) | ${SYSTEMS.map((s) => k.systems[s]?.label ?? `${s} (not measured)`).join(" | ")} |`,
      `| --- | ${SYSTEMS.map(() => "---").join(" | ")} |`,
      ...Object.entries(FIELD_NAMES).map(([f, name]) =>
        row(
          `${name} findable in the dump`,
          (r) => `${r.privacy.plaintext[f as keyof typeof FIELD_NAMES]} of ${r.privacy.people}`,
        ),
      ),
      row(
        "Rows in the database after the sign-ins",
        (r) =>
          `${Object.values(r.privacy.rows).reduce((a, b) => a + b, 0)} after ${r.privacy.signIns} sign-ins (${Object.entries(
            r.privacy.rows,
          )
            .filter(([, n]) => n > 0)
            .map(([t, n]) => `${t} ${n}`)
            .join(", ")})`,
      ),
      row("A replayed payload is accepted", (r) => (r.privacy.replayAccepted ? "yes" : "no")),
      row("A payload dated an hour ahead is accepted", (r) => (r.privacy.futureAccepted ? "yes" : "no")),
      row("Withdrawal", (r) => r.privacy.withdrawal),
      row("Erasure", (r) => r.privacy.erasure),
      "",
    );
  }
  return lines;
}

function verdict(f: Figure): string {
  if (!f.target || !Number.isFinite(f.value)) return f.target ?? "";
  const [op, n] = f.target.split(" ") as [string, string];
  const met = op === ">=" ? f.value >= Number(n) : f.value <= Number(n);
  return `${f.target} ${met ? "(met)" : "(missed)"}`;
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

export function writeReport(dir: string, run: Run): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "bench-results.json"), JSON.stringify(run, null, 2) + "\n");
  const m = run.machine;
  const sizes = run.sizes.split(",").map(Number);
  const lines = [
    "# Benchmarks",
    "",
    "Generated by `npm run bench` (scripts/bench/); do not edit by hand. Every value is a ratio against a",
    "reference measured in the same run on the same machine, because these machines are shared and noisy.",
    "",
    `- Date: ${run.date}${run.quick ? " (quick mode: too short to mean anything, proves the harness only)" : ""}`,
    `- Command: \`${run.command}\` (took ${Math.round(run.seconds)} s)`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; the load generator, the app and the database share it`,
    "",
    "| Figure | Database | Value (ratio) | Target | Reference, measured in the same run | Command |",
    "| --- | --- | --- | --- | --- | --- |",
    ...run.figures.map(
      (f) =>
        `| ${cell(f.figure)} | ${f.db} | ${Number.isFinite(f.value) ? f.value.toFixed(2) : "n/a"} | ${verdict(f)} | ${cell(f.reference)} | \`${run.command}\` |`,
    ),
    "",
    "## How each figure is made",
    "",
    "- **Sign-in**: a production build (`next start`) on a fresh database, with `BENCH_ROUTES=1`, which serves",
    "  `POST /api/bench/bare` (same server, proxy and JSON helper, nothing else) as the reference. Returning users",
    "  are created through the real sign-in and consent; every request then carries its own payload, signed",
    "  before the clock starts (verify, single-use claim, user lookup, field refresh, session). The load runs in",
    "  the bench process: first each route as fast as it answers (autocannon), in alternating windows of 5 s,",
    "  bare, sign-in, sign-in, bare, twice, each side's requests added up (`alternate` in scripts/bench/load.ts:",
    "  measured one after the other, the same bare route cost 2.15 ms of server CPU a request in one run's half",
    "  and 2.93 in the other, and the ratio moved with it); then both at a fixed 70% of the bare",
    "  route's maximum, sent evenly spaced whatever the answers are doing, each latency counted from when its",
    "  request was due (`paced` in scripts/bench/load.ts; autocannon's fixed rate sent each second's requests",
    "  together). Every fixed-rate phase, here and below, first runs 2 s at its rate uncounted: the start of a",
    "  phase measured the pause before it (connections opened again), and in a 10 s window it set the p99.",
    "  Latency ratios at a fixed rate show queueing once the sign-in cannot keep up with that rate.",
    "  `npm run bench -- --only signin` measures these figures (and the HMAC check) alone; where the server's time",
    "  goes: `npx tsx scripts/bench/profile.ts` (the same load under `node --cpu-prof`, docs/decisions/009).",
    "- **HMAC check**: in the bench process, best of three timed rounds each; the share of one sign-in divides",
    "  the time of one `verifyWidgetPayload` by the server's wall time per sign-in at saturation.",
    `- **Admin report and erasure**: a separate fresh database; ${sizes[0]?.toLocaleString("en")} people seeded by \`npm run seed\``,
    "  (encrypted values, consent histories, ledger), purged once as the app's schedule would have (the seed's year",
    "  of history holds a purge backlog that a running site never has), then grown to each larger size by SQL copies",
    "  of those people (`copySyntheticPeople` in lib/data/seed.ts: same consent states and stored values under new",
    "  ids, inserted in key order; the ledger is not copied: an erasure does not read it, and the report reads it",
    "  only for the activity of closed periods, counted once a day, docs/decisions/005). On PostgreSQL the bench runs",
    "  ANALYZE after each growth, as autovacuum would. Best of several runs at each size, after two warm-up reports.",
    "- **No-live-consent check**: the report's one linear part, run beside the purge and by `npm run consent:check`;",
    "  the report shows its stored result and the time it ran (docs/decisions/005). Timed once per size, no target.",
    ...(sizes.includes(1_000_000)
      ? []
      : ["- **1,000,000 users was not measured in this run** (`--sizes` left it out); the default includes it."]),
    "- **First-load JavaScript**: the bytes of every `<script src>` chunk that the page's HTML references (raw and",
    "  gzip -9), against `/bench/blank`, a page of the same app and layout with nothing of its own.",
    "- **Pages** (`npm run bench -- --pages` measures them alone): a production build on a fresh database seeded",
    "  by `npm run seed` (the admin report's people, purged once), plus one synthetic person who granted every",
    "  purpose and shared a phone; on PostgreSQL VACUUM ANALYZE and a checkpoint follow the seeding. Each page is",
    "  a GET with the cookies its visitor's browser would send (signed out for home and blank, a pending sign-in",
    "  for consent, the person for settings, export and receipt, an admin for the report), first as fast as it",
    "  answers (16 connections), each page in alternating 5 s windows with the blank page (blank, page, page,",
    "  blank), which are its reference: one blank window before all the pages and one after them answered 107",
    "  and 181 req/s in one run. The admin report is also held against the fastest blank page of the first pass",
    "  when that is faster (its own blank windows follow it in the heap it grew). Then at one fixed rate for every",
    "  page, 30% of the fastest blank page's maximum, evenly",
    "  spaced as for the sign-in, so a page at half the blank page's throughput still has headroom. The admin",
    "  report has a pass of its own after the others (sixteen reports at once grow the server's heap). Server CPU",
    "  per request is the server process's CPU over the saturation phase divided by its answers. HTML is the",
    "  page's document; RSC is what the router fetches on a client-side navigation (`RSC: 1`). One request at a",
    "  time, with PostgreSQL's CPU, transaction and scan counts per page:",
    "  `npx tsx scripts/bench/page-cost.ts --db postgres --statements`. Beside each fixed-rate p99: the server's",
    "  longest event-loop delay and GC pause in that window (scripts/bench/server-pauses.mjs, preloaded into the",
    "  server), how late the load generator sent, and how late an idle process beside them woke: a pause only",
    "  the server shows is its own.",
    "- **Each database's sign-in and pages** run in a process of their own (the bench starts it), so neither",
    "  half inherits the other's pools, heap or JIT state; before the clock runs, PostgreSQL's tables are",
    "  analyzed and checkpointed and the OS's dirty pages synced (docs/measurements/pages-cost-log.md).",
    "- **Memory**: `/proc/<pid>/status` of the server process: VmRSS after a warm-up, VmHWM after the load.",
    "- **Two instances**: a second `next start` on the same PostgreSQL database, secrets and public origin;",
    "  autocannon spreads the same connections over both. On a 2-core machine the instances compete with each",
    "  other, PostgreSQL and the load generator for the same cores, so this shows contention, not capacity.",
    "",
    ...(run.peers ? peersSection(run.peers) : []),
  ];
  writeFileSync(join(dir, "BENCHMARKS.md"), lines.join("\n"));
}
