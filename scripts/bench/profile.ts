// `npx tsx scripts/bench/profile.ts [--db sqlite|postgres] [--route signin|bare] [--seconds 10] [--out DIR]`
// (`--by-source FILE...`: an existing profile's load window by source file, below)
// Where the server's CPU goes under the bench's sign-in (or bare-route) load: the production build
// runs with `node --cpu-prof`, gets the same load as `npm run bench`, stops, and the profile is
// summarised by self time per function and per area (Prisma, Next, iron-session, pino, app code, GC).
// The full .cpuprofile stays in DIR for Chrome DevTools. Synthetic users only; prints timings.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";
import { freshDatabase, type TestDbKind } from "../../tests/support/databases";
import { startApp } from "../../tests/support/server";
import { createReturningUsers, load, payloadPool } from "./load";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const kind = (arg("db") ?? "sqlite") as TestDbKind;
const route = arg("route") ?? "signin";
const seconds = Number(arg("seconds") ?? 10);
const outDir = resolve(arg("out") ?? `.test-runs/profile-${kind}-${route}-${Date.now()}`);
mkdirSync(outDir, { recursive: true });

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
};
type Profile = { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

/** Which part of the stack a frame belongs to, from its script URL. */
export function areaOf(url: string, name: string): string {
  if (name === "(garbage collector)") return "GC";
  if (name === "(program)" || name === "(idle)") return name;
  if (/query_compiler|query-compiler|\.wasm|wasm:/.test(url) || /^wasm-function/.test(name)) return "prisma wasm";
  if (/prisma|@prisma/.test(url)) return "prisma js";
  if (/adapter-pg|node_modules[/\\]pg|pg-protocol/.test(url)) return "pg driver";
  if (/better-sqlite3/.test(url)) return "better-sqlite3";
  if (/iron-session|iron-webcrypto|uncrypto/.test(url)) return "iron-session";
  if (/pino|sonic-boom|thread-stream/.test(url)) return "pino";
  if (/rate-limiter-flexible/.test(url)) return "rate limiter";
  if (/zod/.test(url)) return "zod";
  if (/\.next[/\\]server[/\\](app|chunks)/.test(url)) return "app bundle (.next/server)";
  if (/next[/\\]dist/.test(url)) return "next runtime";
  if (/^node:|^internal|^$/.test(url)) return url === "" ? "native/builtin" : "node internals";
  return "other";
}

function summarise(file: string): void {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self]
    .filter(([id]) => byId.get(id)!.callFrame.functionName === "(idle)")
    .reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  for (const [id, t] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const a = areaOf(url, functionName);
    if (a === "(idle)") continue;
    area.set(a, (area.get(a) ?? 0) + t);
    const key = `${functionName || "(anonymous)"}  ${url.replace(/^.*node_modules[/\\]/, "").replace(/^.*\.next[/\\]/, ".next/")}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;
  console.log(
    `\n${file}\nbusy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled\n\nself time by area:`,
  );
  for (const [a, t] of [...area].sort((x, y) => y[1] - x[1])) console.log(`  ${pct(t)}  ${a}`);
  console.log(`\nself time by function (top 30):`);
  for (const [k, t] of [...fn].sort((x, y) => y[1] - x[1]).slice(0, 30)) console.log(`  ${pct(t)}  ${k}`);
}

/**
 * Inclusive time per original source file over the last `seconds` of load (the profile ends 1.5 s
 * after it), the build's frames resolved through its source maps: which of our modules, and which
 * packages, a request spends its time under. Used for docs/decisions/009-sign-in-cost.md.
 */
function bySource(file: string, seconds: number): void {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const maps = new Map<string, SourceMap | null>();
  const source = ({
    url,
    lineNumber,
    columnNumber,
  }: {
    url: string;
    lineNumber: number;
    columnNumber: number;
  }): string | null => {
    if (!url.includes(".next/server")) return /node_modules[/\\]((@[^/\\]+[/\\])?[^/\\]+)/.exec(url)?.[1] ?? null;
    const path = url.startsWith("file:") ? fileURLToPath(url) : url;
    if (!maps.has(path))
      maps.set(path, existsSync(`${path}.map`) ? new SourceMap(JSON.parse(readFileSync(`${path}.map`, "utf8"))) : null);
    const entry = maps.get(path)?.findEntry(lineNumber, columnNumber) as { originalSource?: string } | undefined;
    return entry?.originalSource?.replace(/^.*?(node_modules[/\\]|\.\.[/\\])+/, "").replace(/ \[.*$/, "") ?? null;
  };
  let t = p.startTime;
  const times = p.timeDeltas.map((d) => (t += d));
  const [from, to] = [p.endTime - (seconds + 1.5) * 1e6, p.endTime - 1.5e6];
  const inclusive = new Map<string, number>();
  let busy = 0;
  p.samples.forEach((id, i) => {
    if (times[i]! < from || times[i]! > to || byId.get(id)!.callFrame.functionName === "(idle)") return;
    const d = p.timeDeltas[i + 1] ?? 0;
    busy += d;
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const s = source(byId.get(n)!.callFrame);
      if (s) seen.add(s);
    }
    for (const s of seen) inclusive.set(s, (inclusive.get(s) ?? 0) + d);
  });
  console.log(
    `\n${file}: the last ${seconds} s of load, busy ${(busy / 1e6).toFixed(2)} s; inclusive time by source (top 40):`,
  );
  for (const [s, v] of [...inclusive].sort((x, y) => y[1] - x[1]).slice(0, 40))
    console.log(`  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${s}`);
}

if (process.argv.includes("--by-source")) {
  for (const f of process.argv.slice(process.argv.indexOf("--by-source") + 1)) bySource(f, 9);
  process.exit(0);
}

if (process.argv.includes("--summarise")) {
  for (const f of process.argv.slice(process.argv.indexOf("--summarise") + 1)) summarise(f);
  process.exit(0);
}

const app = await startApp({
  label: `profile${kind}`,
  db: await freshDatabase(`profile${kind}`, kind),
  env: { BENCH_ROUTES: "1", LOG_LEVEL: "warn", AUTH_MAX_AGE_SECONDS: "86400" },
  nodeArgs: [
    ...(process.env.PROFILE_PRELOAD ? ["--require", process.env.PROFILE_PRELOAD] : []),
    "--cpu-prof",
    `--cpu-prof-dir=${outDir}`,
  ],
});
let ok = 0;
try {
  const ids = await createReturningUsers(app.url, 100, 7_000_000_000 + Math.floor(Math.random() * 1e9));
  const bodies = payloadPool(ids, 30_000);
  const base = { urls: [app.url], origin: app.origin, connections: 16 };
  const path = route === "bare" ? "/api/bench/bare" : "/api/auth/telegram";
  await load({ ...base, path, bodies: bodies.slice(0, 2000), seconds: 1, reuse: route === "bare" });
  const r = await load({ ...base, path, bodies: bodies.slice(2000), seconds, reuse: route === "bare" });
  ok = r.ok;
  console.log(`${route} on ${kind}: ${r.rps.toFixed(1)} req/s, ${r.ok} ok, ${r.failed} failed`);
} finally {
  // SIGTERM: next start exits normally, which is when node writes the profile.
  await app.stop();
  await app.db.drop();
}
await new Promise((r) => setTimeout(r, 500));
for (const f of readdirSync(outDir).filter((f) => f.endsWith(".cpuprofile"))) summarise(join(outDir, f));
console.log(`\n(${ok} requests during the profiled load plus warm-up and user creation)`);
