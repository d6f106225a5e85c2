import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countRange, publishCount, publishedShare, publishGroup } from "./suppression";

const FEWER = "fewer than 5";

describe("publishCount", () => {
  it("keeps 0, hides 1 to 4 and rounds the rest to the nearest 10", () => {
    expect([0, 1, 4, 5, 9, 14, 15, 24, 25, 1234].map(publishCount)).toEqual([
      0,
      FEWER,
      FEWER,
      10,
      10,
      10,
      20,
      20,
      30,
      1230,
    ]);
  });

  it("publishes a number only as a multiple of 10 that stands for the exact count", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), (n) => {
        const c = publishCount(n);
        if (typeof c === "number") expect(c % 10).toBe(0);
        const [lo, hi] = countRange(c);
        expect(n).toBeGreaterThanOrEqual(lo);
        expect(n).toBeLessThanOrEqual(hi);
      }),
    );
  });
});

describe("publishGroup", () => {
  it("shows 0 as 0 only when the whole group is 0", () => {
    expect(publishGroup([0, 0, 0])).toEqual([0, 0, 0]);
    expect(publishGroup([0, 1, 12])).toEqual([FEWER, FEWER, 10]);
    expect(publishGroup([0, 30])).toEqual([FEWER, 30]);
  });

  it("never lets a total, solved with its other parts, pin a small part to one value", () => {
    // total = sum(parts); the total rounded on its own (or suppressed), every part published in a
    // group. For each part of 1 to 4, the interval a reader can derive from the others must still
    // hold all of 1..4 (or contain 0 as well).
    fc.assert(
      fc.property(fc.array(fc.nat(30), { minLength: 2, maxLength: 12 }), (parts) => {
        const total = parts.reduce((a, b) => a + b, 0);
        const published = publishGroup([total, ...parts]);
        const range = published.map(countRange);
        for (let i = 1; i < published.length; i++) {
          if (parts[i - 1]! < 1 || parts[i - 1]! > 4) continue;
          const others = range.filter((_, j) => j !== 0 && j !== i);
          const hi = range[0]![1] - others.reduce((s, r) => s + r[0], 0);
          const lo = range[0]![0] - others.reduce((s, r) => s + r[1], 0);
          expect(hi).toBeGreaterThanOrEqual(4);
          expect(lo).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});

describe("publishedShare", () => {
  it("is computed from the published counts and withheld when either is small", () => {
    expect(publishedShare(10, 20)).toBe(50);
    expect(publishedShare(FEWER, 20)).toBeNull();
    expect(publishedShare(10, FEWER)).toBeNull();
    expect(publishedShare(0, 0)).toBe(0);
    expect(publishedShare(20, 20)).toBe(100);
  });
});
