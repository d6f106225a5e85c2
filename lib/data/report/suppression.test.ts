import { describe, expect, it } from "vitest";
import { displayCount, share } from "./suppression";

describe("displayCount", () => {
  it("hides 1 to 4 and shows the rest", () => {
    expect([0, 1, 4, 5, 12].map(displayCount)).toEqual([0, "fewer than 5", "fewer than 5", 5, 12]);
  });
});

describe("share", () => {
  it("withholds a share when either side, or the rest, is small", () => {
    expect(share(10, 20)).toBe(50);
    expect(share(3, 20)).toBeNull();
    expect(share(18, 20)).toBeNull();
    expect(share(0, 0)).toBe(0);
  });
});
