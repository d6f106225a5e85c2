// The bench's reference and subject run in alternating windows (A B B A per round) and each side's
// windows add up to its figure. Run by `npm run bench -- --smoke` (vitest.bench.config.ts).
import { describe, expect, it } from "vitest";
import { alternate, windowRatios, type LoadResult } from "./load";

const window = (rps: number, seconds = 5): LoadResult => ({
  rps,
  p50Ms: rps / 100,
  p99Ms: rps / 10,
  ok: rps * seconds,
  failed: 0,
  seconds,
});

describe("alternate", () => {
  it("runs A B B A each round and adds each side's windows up", async () => {
    const order: string[] = [];
    // The machine slows down through the run: each window answers fewer requests than the one before.
    let speed = 1;
    const next = (name: string, rps: number) => async () => {
      order.push(name);
      speed *= 0.8;
      return window(Math.round(rps * speed));
    };
    const [a, b] = await alternate(process.pid, next("a", 1000), next("b", 500), 2);
    expect(order).toEqual(["a", "b", "b", "a", "a", "b", "b", "a"]);
    expect(a.windows).toEqual([800, 410, 328, 168]);
    expect(b.windows).toEqual([320, 256, 131, 105]);
    // Requests per second over all of a side's windows (equal windows here, so also their mean).
    expect(a.r.ok).toBe(5 * (800 + 410 + 328 + 168));
    expect(a.r.seconds).toBe(20);
    expect(a.r.rps).toBeCloseTo((800 + 410 + 328 + 168) / 4);
    expect(b.r.rps).toBeCloseTo((320 + 256 + 131 + 105) / 4);
    // Against a steady slowdown the ratio stays near the true one (0.5): 0.48. The same windows one
    // after the other (the reference's four, then the subject's) would have read 0.20.
    expect(b.r.rps / a.r.rps).toBeGreaterThan(0.43);
    expect(b.r.rps / a.r.rps).toBeLessThan(0.5);
    // The largest p99 of a side's windows; the median p50.
    expect(a.r.p99Ms).toBe(80);
    expect(b.r.p50Ms).toBe(2.56);
    expect(windowRatios(a.windows, b.windows)).toBe("window ratios 0.40-0.63");
  });
});
