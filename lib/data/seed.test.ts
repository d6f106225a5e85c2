// The synthetic histories the seeder and the demo's report filler write: an erasure is dated on a
// closed day, so the report (which publishes closed days only) counts it as soon as it is written.
import { describe, expect, it, vi } from "vitest";
import { SHIPPED_CATALOGUE } from "../domain/purposes";

// The catalogue in force is the shipped one; reading it must not need a configured environment.
vi.mock("../domain/catalogue", async () => {
  const actual = await vi.importActual<typeof import("../domain/catalogue")>("../domain/catalogue");
  return { ...actual, catalogue: () => SHIPPED_CATALOGUE };
});

const { syntheticPeople } = await import("./seed");

const DAY = 86_400_000;

describe("syntheticPeople", () => {
  // Late in a UTC day, when a history's last sign-in (and so an erasure after it) most often falls
  // on the open day; the CI failure that found this ran at about 19:00 UTC.
  for (const now of [Date.UTC(2026, 11, 6, 23, 59), Date.UTC(2026, 11, 6, 19, 0), Date.UTC(2026, 11, 7, 0, 1)]) {
    it(`dates every erasure before the open day (now ${new Date(now).toISOString()})`, () => {
      const startOfToday = now - (now % DAY);
      let erased = 0;
      let lastSeenToday = 0;
      for (const seed of [1, 2, 3, 4, 5]) {
        const person = syntheticPeople(seed, "t", now);
        for (let i = 0; i < 2000; i++) {
          const p = person(i);
          if (p.lastSignInAt.getTime() >= startOfToday) lastSeenToday += 1;
          if (!p.erasedAt) continue;
          erased += 1;
          expect(p.erasedAt.getTime()).toBeLessThan(startOfToday);
          expect(p.erasedAt.getTime()).toBeGreaterThanOrEqual(p.lastSignInAt.getTime());
        }
      }
      // About 2% of 10,000 still erase, and the open day does hold sign-ins: the bound above was
      // tested against histories that could have crossed it.
      expect(erased).toBeGreaterThan(120);
      expect(erased).toBeLessThan(300);
      expect(lastSeenToday).toBeGreaterThan(0);
    });
  }
});
