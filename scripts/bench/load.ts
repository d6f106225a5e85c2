// HTTP load against a running app with autocannon: the bare reference route and the real sign-in,
// at saturation and at a fixed rate. Every sign-in request carries its own pre-signed payload, so
// the server does the whole job (verify, single use, lookup, session) and never sees a replay.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { Client, ONLY_ACCOUNT, signedPayload } from "../../tests/support/client";

export type LoadResult = { rps: number; p50Ms: number; p99Ms: number; ok: number; failed: number; seconds: number };

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
