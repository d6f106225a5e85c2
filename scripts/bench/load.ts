// HTTP load against a running app: the bare reference route and the real sign-in, at saturation
// (autocannon) and at a fixed rate (paced, below). Every sign-in request carries its own pre-signed payload, so
// the server does the whole job (verify, single use, lookup, session) and never sees a replay.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { Pool } from "undici";
import { Client, ONLY_ACCOUNT, signedPayload } from "../../tests/support/client";

export type LoadResult = {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failed: number;
  seconds: number;
  /** At a fixed rate (paced): how late this process sent its latest-sent request, so a stall of the load generator shows as its own. */
  lateSendMs?: number;
};

/** Returning users, signed in once through the real flow; the bench payloads are theirs. */
export async function createReturningUsers(origin: string, count: number, idBase: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = String(idBase + i);
    // Synthetic values only, never a real person's.
    await new Client(origin).signIn(
      { id, first_name: `Bench${i}`, username: `bench_user_${i}` },
      { ...ONLY_ACCOUNT, display_name: true, username: true },
    );
    ids.push(id);
  }
  return ids;
}

/**
 * Fresh payloads for the users: each person's auth_date steps back one second per payload, so no
 * two payloads share a signature. The server must accept auth dates that old (AUTH_MAX_AGE_SECONDS).
 */
export function payloadPool(ids: string[], count: number): string[] {
  const now = Math.floor(Date.now() / 1000);
  const out: string[] = [];
  for (let k = 0; out.length < count; k++) {
    for (let i = 0; i < ids.length && out.length < count; i++) {
      out.push(
        JSON.stringify(
          signedPayload(
            { id: ids[i]!, first_name: `Bench${i}`, username: `bench_user_${i}` },
            { authDate: now - 5 - k },
          ),
        ),
      );
    }
  }
  return out;
}

export type LoadOptions = {
  urls: string[];
  path: string;
  origin: string;
  /** A body for the route at `path`, or a request of its own (the peers' sign-ins: path, body and headers differ). */
  bodies: (string | LoadRequest)[];
  seconds: number;
  connections: number;
  /** Requests per second across all connections; omitted = as fast as the server answers. */
  rate?: number;
  /** Send the bodies round and round: for the bare route, which never reads them. */
  reuse?: boolean;
  /** Whether an answer is a success, when a 2xx is not enough (Auth.js answers a refused sign-in with 200 and an error URL). */
  accept?: (status: number, body: string) => boolean;
};

export type LoadRequest = { path: string; body: string; headers?: Record<string, string> };

export async function load(opts: LoadOptions): Promise<LoadResult> {
  let next = 0;
  let accepted = 0;
  const { bodies, accept } = opts;
  if (opts.rate) {
    const headers = { "content-type": "application/json", origin: opts.origin };
    return paced({ ...opts, rate: opts.rate }, () => {
      const body = bodies[opts.reuse ? next++ % bodies.length : next++];
      if (body === undefined) throw new Error("the benchmark ran out of pre-signed payloads; raise the pool size");
      if (typeof body === "string") return { method: "POST", path: opts.path, headers, body };
      return { method: "POST", path: body.path, headers: { ...headers, ...body.headers }, body: body.body };
    });
  }
  const result = await autocannon({
    // autocannon spreads connections over several urls; its types only admit one.
    url: (opts.urls.length === 1 ? opts.urls[0]! : opts.urls) as string,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: Math.max(1, Math.round(opts.rate)) } : {}),
    timeout: 30,
    requests: [
      {
        method: "POST",
        path: opts.path,
        headers: { "content-type": "application/json", origin: opts.origin },
        setupRequest: (req) => {
          const body = bodies[opts.reuse ? next++ % bodies.length : next++];
          if (body === undefined) throw new Error("the benchmark ran out of pre-signed payloads; raise the pool size");
          if (typeof body === "string") return { ...req, body };
          return { ...req, path: body.path, body: body.body, headers: { ...req.headers, ...body.headers } };
        },
        ...(accept ? { onResponse: (status: number, body: string) => void (accept(status, body) && accepted++) } : {}),
      },
    ],
  });
  const ok = accept ? accepted : result["2xx"];
  return {
    rps: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok,
    failed: accept ? result.requests.total - accepted : result.non2xx + result.errors,
    seconds: result.duration,
  };
}

/** Seconds at the fixed rate before a paced phase's measured window (paced, below). */
export const PACED_LEAD_SECONDS = 2;

export type PacedRequest = { method: "GET" | "POST"; path: string; headers: Record<string, string>; body?: string };

/**
 * A fixed rate as an open loop: request i is sent at start + i / rate, whatever the answers before
 * it are doing, and its latency counts from that moment, so a loader or server that falls behind
 * shows as latency instead of hiding it. Not autocannon's fixed rate: that is a quota per connection
 * per second, so every connection sends its share the moment each second begins, a second's requests
 * arrive together, and its p99 was the time to drain that burst (about the burst's size times one
 * request's cost) rather than an answer's time at that rate (docs/measurements/pages-cost-log.md).
 *
 * The first `leadSeconds` (PACED_LEAD_SECONDS unless given) run at the same rate but are not counted:
 * every fixed-rate phase follows others that left the system under test idle or busy with something
 * else, and its first half second measured that change (new connections from the loader, the app's
 * database connections and caches after the pause) rather than answers at the rate. In a 10 s window
 * the p99 is the 9th-slowest of about 900 answers, so that start alone set it: 288 ms where the rest
 * of the window answered in 10 ms (docs/measurements/009-sign-in-cost-log.md). A refused or failed
 * request is counted wherever it falls.
 */
export async function paced(
  opts: Pick<LoadOptions, "urls" | "seconds" | "connections" | "accept"> & { rate: number; leadSeconds?: number },
  nextRequest: () => PacedRequest,
): Promise<LoadResult> {
  const pools = opts.urls.map((u) => new Pool(u, { connections: opts.connections }));
  const lead = Math.round(opts.rate * (opts.leadSeconds ?? PACED_LEAD_SECONDS));
  const total = lead + Math.max(1, Math.round(opts.rate * opts.seconds));
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  let lateSendMs = 0;
  const start = performance.now();
  const measuredFrom = start + (lead * 1000) / opts.rate;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / opts.rate;
    const counted = i >= lead;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (counted) lateSendMs = Math.max(lateSendMs, performance.now() - due);
    const req = nextRequest();
    inFlight.push(
      pools[i % pools.length]!.request({ ...req, headersTimeout: 30_000, bodyTimeout: 30_000 })
        .then(async (res) => {
          const text = await res.body.text();
          const good = opts.accept ? opts.accept(res.statusCode, text) : res.statusCode >= 200 && res.statusCode < 300;
          if (!good) failed++;
          else if (counted) {
            ok++;
            latencies.push(performance.now() - due);
          }
        })
        .catch(() => void failed++),
    );
  }
  await Promise.all(inFlight);
  await Promise.all(pools.map((p) => p.close()));
  // Longer than asked when the server could not keep up and the last answers came late.
  const seconds = (performance.now() - measuredFrom) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]! : NaN;
  // Whole milliseconds, as autocannon gives them.
  return {
    rps: ok / seconds,
    p50Ms: Math.round(at(0.5)),
    p99Ms: Math.round(at(0.99)),
    ok,
    failed,
    seconds,
    lateSendMs: Math.round(lateSendMs),
  };
}

/** scripts/bench/server-pauses.mjs, preloaded into the server and into the idle probe below. */
export const PAUSE_RECORDER = resolve("scripts/bench/server-pauses.mjs");

/**
 * The longest event-loop delay and garbage-collection pause a pause log (PAUSE_RECORDER) holds for
 * the window `from`..`to` (Date.now() times). A pause is written when it ends: it belongs to the
 * window it ended in or overlaps.
 */
export function pausesIn(file: string, from: number, to: number): { loopMs: number; gcMs: number } {
  const lines = existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
  let loopMs = 0;
  let gcMs = 0;
  for (const line of lines) {
    const [at, what, ms] = line.split(" ");
    if (Number(at) < from || Number(at) - Number(ms) > to) continue;
    if (what === "loop") loopMs = Math.max(loopMs, Number(ms));
    if (what === "gc") gcMs = Math.max(gcMs, Number(ms));
  }
  return { loopMs, gcMs };
}

/**
 * A separate, idle process that wakes every 10 ms and notes each wake-up that came late (the same
 * recorder the server runs under). It shares nothing with the server or the load generator, so a
 * delay it sees at the same time as theirs is the machine's (a busy core, the kernel, the host); a
 * delay only the generator or only the server shows is theirs. `worst(from, to)` is the latest
 * wake-up in that window of Date.now() times.
 */
export function startStallProbe(): { pid: number; worst: (from: number, to: number) => number; stop: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "stall-probe-"));
  const log = join(dir, "pauses.log");
  // Its stdin is a pipe from this process: when this process ends, however it ends, the probe ends too.
  const child = spawn(
    process.execPath,
    ["--import", pathToFileURL(PAUSE_RECORDER).href, "-e", `process.stdin.on("end", () => process.exit()).resume();`],
    { stdio: ["pipe", "ignore", "ignore"], env: { ...process.env, BENCH_PAUSES_LOG: log } },
  );
  return {
    pid: child.pid!,
    worst: (from, to) => pausesIn(log, from, to).loopMs,
    stop: () => {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resident set size now and its peak since the process started (Linux /proc), in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; USER_HZ is 100 on Linux.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Waits until the process has been idle for a moment: under 2% of a core over 300 ms, at most
 * `maxSeconds`. A load generator that stops at its deadline leaves requests in the server's queue
 * (an admin report at 10,000 people takes long enough for a whole warm-up's worth); without the
 * wait they ran inside the next measurement and were charged to the next page.
 */
export async function settle(pid: number, maxSeconds = 60): Promise<void> {
  const deadline = Date.now() + maxSeconds * 1000;
  while (Date.now() < deadline) {
    const before = cpuSecondsOf(pid);
    await new Promise((r) => setTimeout(r, 300));
    if (cpuSecondsOf(pid) - before < 0.006) return;
  }
}

export type Alternated = { r: LoadResult; cpuMs: number; windows: number[] };

/**
 * Measures two loads in alternating windows, A B B A (twice that with `rounds` 2), and adds each side's
 * windows up: requests per second over all its windows, server CPU per request over all its requests.
 * A reference measured in one window and its subject in another, seconds apart, compared two states
 * of the machine as well as two routes: the same bare route cost 2.15 ms of server CPU a request in
 * one half of a run and 2.93 in the other, and the blank page answered 107 req/s before the pages and
 * 181 after them. Alternating puts any drift on both sides alike. `windows` keeps each window's req/s,
 * A's then B's, so the report can show how far they scatter. Combined percentiles are the median of the
 * windows' p50s and the largest of their p99s.
 */
export async function alternate(
  pid: number,
  a: () => Promise<LoadResult>,
  b: () => Promise<LoadResult>,
  rounds = 1,
): Promise<[Alternated, Alternated]> {
  const sides = [
    { results: [] as LoadResult[], cpu: 0 },
    { results: [] as LoadResult[], cpu: 0 },
  ];
  for (let i = 0; i < rounds; i++)
    for (const side of [0, 1, 1, 0]) {
      // What the previous window left queued is answered before this one opens.
      await settle(pid);
      const cpu = cpuSecondsOf(pid);
      sides[side]!.results.push(await (side ? b : a)());
      sides[side]!.cpu += cpuSecondsOf(pid) - cpu;
    }
  return sides.map(({ results, cpu }) => {
    const ok = results.reduce((n, r) => n + r.ok, 0);
    const seconds = results.reduce((n, r) => n + r.seconds, 0);
    const p50s = results.map((r) => r.p50Ms).sort((x, y) => x - y);
    return {
      r: {
        rps: ok / seconds,
        p50Ms: p50s[Math.floor(p50s.length / 2)]!,
        p99Ms: Math.max(...results.map((r) => r.p99Ms)),
        ok,
        failed: results.reduce((n, r) => n + r.failed, 0),
        seconds,
      },
      cpuMs: (cpu * 1000) / Math.max(1, ok),
      windows: results.map((r) => r.rps),
    };
  }) as [Alternated, Alternated];
}

/** The subject's windows against the reference's, pair by pair: "window ratios 0.57-0.66". */
export function windowRatios(reference: readonly number[], subject: readonly number[]): string {
  const ratios = subject.map((rps, i) => rps / (reference[i] ?? NaN));
  return `window ratios ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
}
