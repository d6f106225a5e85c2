// The bench's fixed rate is an open loop: requests arrive spread over each second, not as a burst
// when it begins (autocannon's per-connection quota), and a late answer counts from when its request
// was due; the loader's lateness, the server's pauses and an idle process's are measured beside it.
// Run by `npm run bench -- --smoke` (vitest.bench.config.ts).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paced, pausesIn, startStallProbe } from "./load";

const arrivals: number[] = [];
let slowUntil = 0;
const server = createServer((req, res) => {
  arrivals.push(performance.now());
  // While slowUntil is ahead, every answer waits for it: a server that stalls.
  setTimeout(() => res.end("ok"), Math.max(0, slowUntil - performance.now()));
});
let url = "";
const get = () => ({ method: "GET" as const, path: "/", headers: {} });

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("paced", () => {
  it("spreads a second's requests over the second", async () => {
    arrivals.length = 0;
    const r = await paced({ urls: [url], seconds: 2, connections: 16, rate: 50, leadSeconds: 0 }, get);
    expect(r.ok).toBe(100);
    expect(r.failed).toBe(0);
    // 50 per second is one every 20 ms: no 100 ms holds more than a handful (a burst put 50 in one).
    const most = Math.max(...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + 100).length));
    expect(most).toBeLessThanOrEqual(8);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(1900);
  });

  it("counts a stalled answer from when its request was due", async () => {
    arrivals.length = 0;
    // The first 300 ms of answers are held until 300 ms after the start: the first request waits ~300 ms.
    slowUntil = performance.now() + 300;
    const r = await paced({ urls: [url], seconds: 1, connections: 16, rate: 20, leadSeconds: 0 }, get);
    expect(r.ok).toBe(20);
    expect(r.p99Ms).toBeGreaterThanOrEqual(250);
    expect(r.p50Ms).toBeLessThan(100);
  });

  it("sends its lead-in at the same rate and leaves it out of the figures", async () => {
    arrivals.length = 0;
    // A stall in the lead-in's first 300 ms (the first answers after a pause): not in the window.
    slowUntil = performance.now() + 300;
    const r = await paced({ urls: [url], seconds: 1, connections: 16, rate: 20, leadSeconds: 1 }, get);
    expect(arrivals.length).toBe(40);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(1800);
    expect(r.ok).toBe(20);
    expect(r.failed).toBe(0);
    expect(r.p99Ms).toBeLessThan(100);
    expect(r.seconds).toBeLessThan(1.5);
  });

  it("says how late the loader itself sent, so its own stall is not taken for the server's", async () => {
    // 300 ms in, this process (the loader) is busy for 200 ms: the requests due meanwhile go late.
    setTimeout(() => {
      const until = performance.now() + 200;
      while (performance.now() < until);
    }, 300);
    const r = await paced({ urls: [url], seconds: 1, connections: 16, rate: 20, leadSeconds: 0 }, get);
    expect(r.lateSendMs).toBeGreaterThanOrEqual(150);
  });
});

describe("the server's pause recorder (server-pauses.mjs)", () => {
  it("notes an event loop held for 200 ms", () => {
    const log = join(mkdtempSync(join(tmpdir(), "pauses-")), "pauses.log");
    const hold =
      "setTimeout(() => { const t = Date.now(); while (Date.now() - t < 200); }, 100); setTimeout(() => {}, 500);";
    const preload = pathToFileURL(resolve("scripts/bench/server-pauses.mjs")).href;
    const run = spawnSync(process.execPath, ["--import", preload, "-e", hold], {
      env: { ...process.env, BENCH_PAUSES_LOG: log },
    });
    expect(run.status).toBe(0);
    const loops = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .filter((l) => l.split(" ")[1] === "loop")
      .map((l) => Number(l.split(" ")[2]));
    expect(Math.max(...loops)).toBeGreaterThanOrEqual(150);
  });
});

describe("the idle probe beside the bench (startStallProbe)", () => {
  it("notes a pause it suffers, as a machine's stall would make it", async () => {
    const probe = startStallProbe();
    try {
      await new Promise((r) => setTimeout(r, 500));
      const from = Date.now();
      process.kill(probe.pid, "SIGSTOP");
      await new Promise((r) => setTimeout(r, 200));
      process.kill(probe.pid, "SIGCONT");
      await new Promise((r) => setTimeout(r, 200));
      expect(probe.worst(from, Date.now())).toBeGreaterThanOrEqual(150);
    } finally {
      probe.stop();
    }
  });

  it("counts a pause in every window it ended in or overlaps, and in no other", () => {
    const file = join(mkdtempSync(join(tmpdir(), "pauses-")), "log");
    writeFileSync(file, "1000 loop 300\n1000 gc 40\n");
    expect(pausesIn(file, 800, 900)).toEqual({ loopMs: 300, gcMs: 0 });
    expect(pausesIn(file, 900, 1000)).toEqual({ loopMs: 300, gcMs: 40 });
    expect(pausesIn(file, 1001, 2000)).toEqual({ loopMs: 0, gcMs: 0 });
    expect(pausesIn(file, 0, 600)).toEqual({ loopMs: 0, gcMs: 0 });
  });
});
