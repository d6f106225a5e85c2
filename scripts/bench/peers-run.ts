// `npm run bench -- --only peers` (and the full run): for each database kind, our app (with its bare
// route), Auth.js and Better Auth side by side on fresh databases of that kind, the same people,
// the same load; then each database's dump is searched (peers.ts). Every figure is a ratio of two
// measurements of this run.
import type { TestDbKind } from "../../tests/support/databases";
import { cpuSecondsOf, load, type LoadResult } from "./load";
import type { Figure, PeersKind, PeersRun, SystemResult } from "./output";
import {
  enrol,
  freshPayloads,
  LABEL,
  people,
  PEERS,
  preparePeer,
  privacy,
  saturate,
  startPeer,
  startUs,
  type Running,
  type SystemName,
} from "./peers";

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

type Options = {
  kinds: TestDbKind[];
  command: string;
  quick: boolean;
  seconds: number;
  connections: number;
  users: number;
  env: Record<string, string>;
};

export async function measurePeers(o: Options): Promise<PeersRun> {
  const started = Date.now();
  const unavailable: Partial<Record<SystemName, string>> = {};
  for (const peer of PEERS) {
    try {
      preparePeer(peer);
    } catch (e) {
      unavailable[peer] = `install or build failed: ${(e as Error).message.split("\n")[0]}`;
      log(`${peer}: ${unavailable[peer]}`);
    }
  }
  const kinds: PeersKind[] = [];
  for (const kind of o.kinds) kinds.push(await measureKind(kind, o, unavailable));
  return {
    date: new Date().toISOString(),
    command: o.command,
    quick: o.quick,
    seconds: (Date.now() - started) / 1000,
    kinds,
  };
}

async function measureKind(
  kind: TestDbKind,
  o: Options,
  unavailable: Partial<Record<SystemName, string>>,
): Promise<PeersKind> {
  log(`${kind}: peers: starting our app and the peers`);
  const systems: Running[] = [];
  const errors: Partial<Record<SystemName, string>> = { ...unavailable };
  const results: Partial<Record<SystemName, SystemResult>> = {};
  const us = await startUs(kind, o.env);
  systems.push(us);
  for (const peer of PEERS) {
    if (errors[peer]) continue;
    try {
      systems.push(await startPeer(peer, kind));
    } catch (e) {
      errors[peer] = `did not start: ${(e as Error).message.split("\n")[0]}`;
      log(`${kind}: ${peer}: ${errors[peer]}`);
    }
  }
  try {
    const idBase = 4_700_000_000_000 + Math.floor(Math.random() * 1e9) * 10;
    const all = people(o.users + 3, idBase);
    const who = all.slice(0, o.users);
    const spare = all.slice(o.users);
    const enrolled = Math.floor(Date.now() / 1000);
    for (const sys of [...systems]) {
      try {
        await enrol(sys, who);
      } catch (e) {
        errors[sys.name] = `enrolment failed: ${(e as Error).message.split("\n")[0]}`;
        log(`${kind}: ${sys.name}: ${errors[sys.name]}`);
        systems.splice(systems.indexOf(sys), 1);
      }
    }
    // Every load payload is dated before any enrolment payload, so none is refused as a replay.
    const perPhase = o.quick ? 1500 : 9000;
    const pools = new Map(systems.map((s) => [s.name, freshPayloads(who, 3 * perPhase, enrolled - 2)]));
    let usedFrom = 0;
    const take = (sys: Running) => pools.get(sys.name)!.slice(usedFrom, usedFrom + perPhase);
    const base = { seconds: o.seconds, connections: o.connections };

    // Warm-up of every route, then each at saturation.
    const bareOpts = {
      urls: [us.origin],
      origin: us.origin,
      path: "/api/bench/bare",
      bodies: ["{}"],
      reuse: true,
      ...base,
    };
    await load({ ...bareOpts, seconds: 1 });
    const warm = new Map<SystemName, number>();
    for (const sys of systems)
      warm.set(sys.name, (await saturate(sys, take(sys).slice(0, o.quick ? 200 : 1500), 1, o.connections)).ok);
    usedFrom = perPhase;
    log(`${kind}: peers: saturation`);
    const bareCpu0 = cpuSecondsOf(us.pid);
    const bareMax = await load(bareOpts);
    const bareCpuMs = ((cpuSecondsOf(us.pid) - bareCpu0) * 1000) / Math.max(1, bareMax.ok);
    const max = new Map<SystemName, { r: LoadResult; cpuMs: number }>();
    for (const sys of systems) {
      const cpu0 = cpuSecondsOf(sys.pid);
      const r = await saturate(sys, take(sys), base.seconds, base.connections);
      max.set(sys.name, { r, cpuMs: ((cpuSecondsOf(sys.pid) - cpu0) * 1000) / Math.max(1, r.ok) });
      log(`${kind}: ${sys.name}: ${r.rps.toFixed(0)} sign-ins/s, ${r.failed} refused or failed`);
    }
    // One fixed rate for all: 70% of the slowest sign-in's maximum, so every system can keep up
    // and the p99s compare answering times, not queues.
    usedFrom = 2 * perPhase;
    const rate = 0.7 * Math.min(...[...max.values()].map((m) => m.r.rps));
    log(`${kind}: peers: fixed ${rate.toFixed(0)} req/s`);
    const bareFixed = await load({ ...bareOpts, rate });
    const fixed = new Map<SystemName, LoadResult>();
    for (const sys of systems)
      fixed.set(sys.name, await saturate(sys, take(sys), base.seconds, base.connections, rate));

    log(`${kind}: peers: privacy`);
    for (const sys of systems) {
      const m = max.get(sys.name)!;
      const signIns = o.users + warm.get(sys.name)! + m.r.ok + fixed.get(sys.name)!.ok;
      results[sys.name] = {
        label: LABEL[sys.name],
        max: m.r,
        cpuMsPerSignIn: m.cpuMs,
        fixed: fixed.get(sys.name)!,
        privacy: await privacy(sys, who, signIns, spare),
      };
    }

    const figures: Figure[] = [];
    const u = results.us!;
    for (const name of ["us", ...PEERS] as SystemName[]) {
      const r = results[name];
      if (!r) continue;
      figures.push({
        db: kind,
        figure: `${r.label}: sign-in throughput at saturation / our bare route`,
        value: ratio(r.max.rps, bareMax.rps),
        reference: `bare ${bareMax.rps.toFixed(0)} req/s; sign-in ${r.max.rps.toFixed(0)} req/s (${o.connections} connections, ${o.seconds} s; ${r.max.failed} refused or failed)`,
        ...(name === "us" ? { target: ">= 0.60" } : {}),
      });
    }
    for (const peer of PEERS) {
      const p = results[peer];
      if (!p) continue;
      figures.push(
        {
          db: kind,
          figure: `Sign-in throughput at saturation: us / ${p.label}`,
          value: ratio(u.max.rps, p.max.rps),
          reference: `us ${u.max.rps.toFixed(0)} req/s, ${peer} ${p.max.rps.toFixed(0)} req/s`,
          target: ">= 1.00",
        },
        {
          db: kind,
          figure: `Sign-in p99 at a fixed ${rate.toFixed(0)} req/s: us / ${p.label}`,
          value: ratio(u.fixed.p99Ms, p.fixed.p99Ms),
          reference: `us ${u.fixed.p99Ms} ms (${u.fixed.rps.toFixed(0)} req/s delivered), ${peer} ${p.fixed.p99Ms} ms (${p.fixed.rps.toFixed(0)} req/s delivered)`,
          target: "<= 1.00",
        },
        {
          db: kind,
          figure: `Server CPU per sign-in: us / ${p.label}`,
          value: ratio(u.cpuMsPerSignIn, p.cpuMsPerSignIn),
          reference: `us ${u.cpuMsPerSignIn.toFixed(2)} ms, ${peer} ${p.cpuMsPerSignIn.toFixed(2)} ms of its server process's CPU per sign-in at saturation (bare request ${bareCpuMs.toFixed(2)} ms)`,
        },
      );
    }
    for (const name of ["us", ...PEERS] as SystemName[]) {
      const r = results[name];
      if (!r) continue;
      figures.push({
        db: kind,
        figure: `${r.label}: sign-in p99 / our bare route's p99, same fixed ${rate.toFixed(0)} req/s`,
        value: ratio(r.fixed.p99Ms, bareFixed.p99Ms),
        reference: `bare p99 ${bareFixed.p99Ms} ms, sign-in p99 ${r.fixed.p99Ms} ms`,
      });
    }
    return {
      db: kind,
      rate,
      bare: { max: bareMax, fixed: bareFixed, cpuMs: bareCpuMs },
      systems: results,
      errors,
      figures,
    };
  } finally {
    for (const sys of systems) await sys.stop();
    for (const sys of systems) await sys.db.drop();
  }
}
