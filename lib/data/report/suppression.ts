// The small-count rule: what the report publishes instead of a count that could single someone out.
import { FEWER_THAN_5, type Count } from "./types";

export function displayCount(n: number): Count {
  return n >= 1 && n <= 4 ? FEWER_THAN_5 : n;
}

/** Percent with one decimal, or null when either side is small enough to single someone out. */
export function share(part: number, whole: number): number | null {
  if (whole <= 0) return 0;
  if ((part >= 1 && part <= 4) || whole <= 4 || (whole - part >= 1 && whole - part <= 4)) return null;
  return Math.round((part / whole) * 1000) / 10;
}
