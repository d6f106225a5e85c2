// The pages a person or an admin reaches, against /bench/blank (a page of the same app and root
// layout with nothing of its own), on a production build and a fresh database seeded with synthetic
// people: throughput at saturation, p99 at one fixed rate common to every page, HTML and RSC payload
// bytes, and the server's CPU per request. Every request is a GET with the cookies a browser would send.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { Client, ONLY_ACCOUNT, signedPayload } from "../../tests/support/client";
import { freshDatabase, type TestDbKind } from "../../tests/support/databases";
import { startApp, type TestApp } from "../../tests/support/server";
import {
  alternate,
  paced,
  PAUSE_RECORDER,
  pausesIn,
  settle,
  startStallProbe,
  type Alternated,
  type LoadResult,
  windowRatios,
} from "./load";
import type { Figure } from "./output";

export const PAGES = ["blank", "home", "consent", "settings", "export", "receipt", "admin"] as const;
export type PageName = (typeof PAGES)[number];

export const PATHS: Record<PageName, string> = {
  blank: "/bench/blank",
  home: "/",
  consent: "/consent",
  settings: "/settings",
  export: "/settings/export",
  receipt: "/settings/receipt",
  admin: "/admin",
};
const WHAT: Record<PageName, string> = {
  blank: "blank page",
  home: "home page (signed out)",
  consent: "consent page of a pending sign-in",
  settings: "settings page (every purpose granted, a phone)",
  export: "printable export",
  receipt: "printable consent receipt",
  admin: "admin report",
};

export type PageResult = {
  path: string;
  htmlBytes: number;
  rscBytes: number;
  max: LoadResult;
  cpuMsPerRequest: number;
  /** Req/s of each window at saturation, in the order run. */
  windows: number[];
  /**
   * The blank page at saturation in the windows alternating with this page's (the admin report's: or
   * the fastest of the first pass, if faster); none for the blank page itself, whose `max` is the
   * fastest of these references (it sets the fixed rate).
   */
  reference?: { rps: number; cpuMs: number; windows: number[]; firstPass?: true };
  fixed: LoadResult;
  /**
   * While `fixed` ran, in ms: the server's longest event-loop delay and garbage collection
   * (scripts/bench/server-pauses.mjs), and the latest wake-up of an idle process beside it
   * (startStallProbe). With the loader's own lateness (fixed.lateSendMs) they say whose pause a p99 is.
   */
  pauses: { serverLoopMs: number; serverGcMs: number; machineMs: number };
};
export type PagesRun = {
  kind: TestDbKind;
  people: number;
  rate: number;
  seedSeconds: number;
  pages: Record<PageName, PageResult>;
};

type Options = {
  seconds: number;
  connections: number;
  people: number;
  env: Record<string, string>;
  /** Flags for the server's node process (scripts/bench/page-cost.ts profiles with them). */
  nodeArgs?: string[];
};

/** GET `path` with these headers (cookies), as fast as answered or at `rate` requests per second. */
async function loadGet(url: string, path: string, headers: Record<string, string>, o: Options, rate?: number) {
  if (rate)
    return paced({ urls: [url], seconds: o.seconds, connections: o.connections, rate }, () => ({
      method: "GET",
      path,
      headers,
    }));
  const result = await autocannon({
    url,
    connections: o.connections,
    duration: o.seconds,
    timeout: 30,
    requests: [{ method: "GET", path, headers }],
  });
  const ok = result["2xx"];
  return {
    rps: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok,
    failed: result.non2xx + result.errors,
    seconds: result.duration,
  } satisfies LoadResult;
}

async function bytesOf(client: Client, path: string, rsc: boolean): Promise<number> {
  const headers = rsc ? { RSC: "1" } : undefined;
  let res = await client.request("GET", path, { headers });
  // The router's request: the server first redirects it to its cache-busting `_rsc` address.
  if (rsc && res.status === 307) res = await client.request("GET", res.headers.get("location")!, { headers });
  if (res.status !== 200) throw new Error(`${path}${rsc ? " (RSC)" : ""} answered ${res.status}`);
  return Buffer.from(await res.arrayBuffer()).length;
}

const pausesLog = (dir: string) => join(dir, "server-pauses.log");

/** Starts an app on a fresh database, seeds it and signs the three visitors in; the caller stops it. */
export async function preparePages(kind: TestDbKind, o: Options) {
  const base = 5_000_000_000 + Math.floor(Math.random() * 1e9) * 4;
  const ids = { person: String(base), admin: String(base + 1), pending: String(base + 2) };
  const db = await freshDatabase(`benchpages${kind}`, kind);
  const app = await startApp({
    label: `benchpages${kind}`,
    db,
    env: {
      ...o.env,
      ADMIN_TELEGRAM_IDS: ids.admin,
      NODE_OPTIONS: [o.env.NODE_OPTIONS, `--import ${JSON.stringify(pathToFileURL(PAUSE_RECORDER).href)}`]
        .filter(Boolean)
        .join(" "),
      BENCH_PAUSES_LOG: pausesLog(db.dir),
    },
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
  });
  const out = execFileSync(
    process.execPath,
    [
      "--conditions=react-server",
      "--import",
      "tsx",
      "scripts/bench/page-people.ts",
      "--users",
      String(o.people),
      "--person",
      ids.person,
    ],
    {
      env: { ...app.env, NODE_ENV: "development", LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "inherit"],
      encoding: "utf8",
    },
  );
  const seeded = JSON.parse(out.trim().split("\n").at(-1)!) as { seedSeconds: number };
  execFileSync("sync");
  const anonymous = new Client(app.url);
  // A returning person (the seeded one): the widget's sign-in gives the session cookie.
  const person = new Client(app.url);
  const signedIn = await person.request("POST", "/api/auth/telegram", {
    json: signedPayload({ id: ids.person, first_name: "Bench", last_name: "Pages", username: "bench_pages" }),
  });
  if (signedIn.status !== 200) throw new Error(`the page benchmark's person could not sign in (${signedIn.status})`);
  const admin = new Client(app.url);
  await admin.signIn({ id: ids.admin }, ONLY_ACCOUNT);
  // A first sign-in waiting on the consent page: its pending cookie stays open while nobody decides.
  const pending = new Client(app.url);
  const started = await pending.request("POST", "/api/auth/telegram", { json: signedPayload({ id: ids.pending }) });
  if (started.status !== 200) throw new Error(`the pending sign-in answered ${started.status}`);
  const visitor: Record<PageName, Client> = {
    blank: anonymous,
    home: anonymous,
    consent: pending,
    settings: person,
    export: person,
    receipt: person,
    admin,
  };
  return { app, visitor, seedSeconds: seeded.seedSeconds };
}

export async function measurePageLoad(kind: TestDbKind, o: Options, log: (s: string) => void): Promise<PagesRun> {
  log(`${kind}: pages: seeding ${o.people} people and starting the app`);
  const { app, visitor, seedSeconds } = await preparePages(kind, o);
  try {
    return await measureOn(app, kind, visitor, seedSeconds, o, log);
  } finally {
    await app.stop();
    await app.db.drop();
  }
}

async function measureOn(
  app: TestApp,
  kind: TestDbKind,
  visitor: Record<PageName, Client>,
  seedSeconds: number,
  o: Options,
  log: (s: string) => void,
): Promise<PagesRun> {
  const pid = app.process.pid!;
  const headers = (p: PageName): Record<string, string> =>
    visitor[p].cookies.size ? { cookie: visitor[p].cookieHeader() } : {};
  const bytes = {} as Record<PageName, { html: number; rsc: number }>;
  for (const p of PAGES)
    bytes[p] = { html: await bytesOf(visitor[p], PATHS[p], false), rsc: await bytesOf(visitor[p], PATHS[p], true) };
  const max = {} as Record<PageName, Alternated>;
  const reference = {} as Record<PageName, Alternated>;
  const firstPass: Partial<Record<PageName, true>> = {};
  const pages = {} as Record<PageName, PageResult>;
  const probe = startStallProbe();
  let rate = 0;
  const window = Math.max(1, o.seconds / 2);
  const load = (p: PageName) => () => loadGet(app.url, PATHS[p], headers(p), { ...o, seconds: window });
  try {
    // The admin report has a pass of its own, after the others: sixteen 450 KB reports at once grow
    // the server's heap more than any other page, and the pages measured after that flood were
    // charged for the full collections of a heap they had not grown (about 1 GB, with pauses of
    // 60-110 ms, while rendered pages still leaked; docs/measurements/pages-cost-log.md, 7 December).
    for (const pass of [PAGES.filter((p) => p !== "admin"), ["admin"] as PageName[]]) {
      // Warm-up: every page compiled, connected and cached as after a while in production.
      for (const p of pass) await loadGet(app.url, PATHS[p], headers(p), { ...o, seconds: 1 });
      log(`${kind}: pages: ${pass.join(", ")}: saturation`);
      // Each page against the blank page in alternating windows (load.ts, alternate), half of
      // o.seconds each, so each page is compared with the blank page as the machine was while the page
      // ran. One blank window before all the pages and one after them answered 107 and 181 req/s.
      for (const p of pass.filter((p) => p !== "blank")) {
        [reference[p], max[p]] = await alternate(pid, load("blank"), load(p));
        if (pass.includes("blank") && (!max.blank || reference[p].r.rps > max.blank.r.rps)) max.blank = reference[p];
      }
      // The admin report's blank windows come after its own, in a heap the report grew: it is also held
      // against the fastest blank page of the first pass, so it cannot gain from the report's own cost.
      if (!pass.includes("blank"))
        for (const p of pass)
          if (max.blank.r.rps > reference[p]!.r.rps) [reference[p], firstPass[p]] = [max.blank, true];
      // One rate for every page, low enough that a page at half the blank page's throughput still has
      // headroom (60% of its own maximum), so the p99s compare answers, not queues of different lengths.
      rate ||= 0.3 * max.blank.r.rps;
      log(`${kind}: pages: ${pass.join(", ")}: at a fixed ${rate.toFixed(0)} req/s`);
      for (const p of pass) {
        await settle(pid);
        const from = Date.now();
        const fixed = await loadGet(app.url, PATHS[p], headers(p), o, rate);
        // Their last lines may still be on the way.
        await new Promise((r) => setTimeout(r, 50));
        const to = Date.now();
        const server = pausesIn(pausesLog(app.db.dir), from, to);
        pages[p] = {
          pauses: { serverLoopMs: server.loopMs, serverGcMs: server.gcMs, machineMs: probe.worst(from, to) },
          path: PATHS[p],
          htmlBytes: bytes[p].html,
          rscBytes: bytes[p].rsc,
          max: max[p].r,
          cpuMsPerRequest: max[p].cpuMs,
          windows: max[p].windows,
          ...(reference[p] && {
            reference: {
              rps: reference[p].r.rps,
              cpuMs: reference[p].cpuMs,
              windows: reference[p].windows,
              ...(firstPass[p] && { firstPass: true }),
            },
          }),
          fixed,
        };
        log(
          `${kind}: pages: ${p} at the fixed rate: p50 ${fixed.p50Ms} ms, p99 ${fixed.p99Ms} ms; ${stalls(pages[p])}`,
        );
      }
    }
  } finally {
    probe.stop();
  }
  const failed = PAGES.reduce((n, p) => n + pages[p].max.failed + pages[p].fixed.failed, 0);
  if (failed) log(`${kind}: pages: ${failed} requests failed or answered non-2xx`);
  return { kind, people: o.people, rate, seedSeconds, pages };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
// Who else was late while the fixed rate ran: a stall all three see is the machine's.
const stalls = (r: PageResult) =>
  `server loop up to ${r.pauses.serverLoopMs} ms late with GC pauses up to ${r.pauses.serverGcMs} ms, loader up to ${r.fixed.lateSendMs ?? 0} ms late, an idle process up to ${r.pauses.machineMs} ms`;

export function pageFigures(run: PagesRun): Figure[] {
  const blank = run.pages.blank;
  const figures: Figure[] = [];
  for (const p of PAGES.filter((p) => p !== "blank")) {
    const r = run.pages[p];
    const ref = r.reference ?? { rps: blank.max.rps, cpuMs: blank.cpuMsPerRequest, windows: [], firstPass: true };
    const name = p === "admin" ? `${WHAT[p]} at ${run.people.toLocaleString("en")} people` : WHAT[p];
    // The signed-in pages and the admin report carry the targets; the signed-out home page is measured alongside.
    const targeted = p !== "home";
    figures.push(
      {
        db: run.kind,
        figure: `Page: ${name}, throughput at saturation / blank page`,
        value: ratio(r.max.rps, ref.rps),
        reference: `blank ${ref.rps.toFixed(0)} req/s${ref.firstPass ? " (the first pass's fastest, faster than in the windows alternating with this page's)" : " in the windows alternating with this page's"}, ${p} ${r.max.rps.toFixed(0)} req/s (${r.path}; ${windowRatios(ref.windows, r.windows)}); server CPU ${r.cpuMsPerRequest.toFixed(2)} ms per request against ${ref.cpuMs.toFixed(2)} (${ratio(r.cpuMsPerRequest, ref.cpuMs).toFixed(2)}×)`,
        ...(targeted ? { target: ">= 0.50" } : {}),
      },
      {
        db: run.kind,
        figure: `Page: ${name}, p99 / blank page p99, same fixed ${run.rate.toFixed(0)} req/s`,
        value: ratio(r.fixed.p99Ms, blank.fixed.p99Ms),
        reference: `blank p99 ${blank.fixed.p99Ms} ms, ${p} p99 ${r.fixed.p99Ms} ms (${r.fixed.rps.toFixed(0)} req/s delivered; ${stalls(blank)} for blank, ${stalls(r)} for ${p}); HTML ${kb(r.htmlBytes)} (blank ${kb(blank.htmlBytes)}), RSC payload ${kb(r.rscBytes)} (blank ${kb(blank.rscBytes)})`,
        ...(targeted ? { target: "<= 2.00" } : {}),
      },
    );
  }
  return figures;
}
