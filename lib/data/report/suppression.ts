// Disclosure control: what the report publishes instead of an exact count, so that no figure, and
// no sum or difference of figures, singles anyone out. See docs/decisions/010-report-disclosure-control.md.
//
// - A count from 1 to 4 is published as "fewer than 5".
// - A count of 5 or more is rounded to the nearest 10 (5 to 14 is 10): every published number is a
//   multiple of 10, so no sum or difference of them is a small count, and a total rounded on its own
//   never narrows one of its parts below "1 to 4" (the decision works this through).
// - Counts that add up to other published counts (activity per purpose and day, per week, all
//   purposes; erasures per week, month and in total; values past retention) are published as a
//   group: a 0 in it is "fewer than 5" too unless the whole group is 0, because a known 0 beside
//   cells known to be 1 or more lets a small total be split exactly (four purposes granted once in a
//   day whose total is "fewer than 5" are each exactly 1).
// - Shares are computed from the published counts, never from the exact ones.
import { FEWER_THAN_5, type Count } from "./types";

export const ROUNDING_BASE = 10;
export const SMALLEST_SHOWN = 5;

/** One count on its own (no published figure adds it up): 0 stays 0, a violation must read as one. */
export function publishCount(n: number): Count {
  if (n <= 0) return 0;
  if (n < SMALLEST_SHOWN) return FEWER_THAN_5;
  return Math.round(n / ROUNDING_BASE) * ROUNDING_BASE;
}

/** Counts that add up to each other: a 0 is shown as 0 only when the whole group is 0. */
export function publishGroup(ns: readonly number[]): Count[] {
  if (ns.every((n) => n <= 0)) return ns.map(() => 0);
  return ns.map((n) => (n < SMALLEST_SHOWN ? FEWER_THAN_5 : publishCount(n)));
}

/** Percent (one decimal) of two published counts, or null when either is "fewer than 5". */
export function publishedShare(part: Count, whole: Count): number | null {
  if (part === FEWER_THAN_5 || whole === FEWER_THAN_5) return null;
  if (whole <= 0) return 0;
  return Math.min(100, Math.round((part / whole) * 1000) / 10);
}

/** The inverse a reader needs: the exact counts a published one stands for. */
export function countRange(c: Count): [number, number] {
  if (c === FEWER_THAN_5) return [0, SMALLEST_SHOWN - 1];
  if (c === 0) return [0, 0];
  return [Math.max(SMALLEST_SHOWN, c - ROUNDING_BASE / 2), c + ROUNDING_BASE / 2 - 1];
}
