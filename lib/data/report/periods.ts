// The periods the report groups activity by (UTC days, ISO weeks, months), counted back from now.
import { utcDay } from "../stats";

const DAY_MS = 86_400_000;

/** ISO 8601 week of a UTC day, e.g. "2026-W48". */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7;
  const thursday = new Date(d.getTime() + (3 - weekday) * DAY_MS);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - yearStart) / DAY_MS / 7) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

export function lastDays(now: Date, n: number): string[] {
  return Array.from({ length: n }, (_, i) => utcDay(new Date(now.getTime() - (n - 1 - i) * DAY_MS)));
}

export function lastWeeks(now: Date, n: number): string[] {
  return Array.from({ length: n }, (_, i) => isoWeek(utcDay(new Date(now.getTime() - (n - 1 - i) * 7 * DAY_MS))));
}

export function lastMonths(now: Date, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (n - 1 - i), 1));
    return d.toISOString().slice(0, 7);
  });
}

/** The Monday of the first of the last `weeks` ISO weeks: the earliest day a weekly series needs. */
export function firstDayOfLastWeeks(now: Date, weeks: number): string {
  return utcDay(new Date(now.getTime() - ((weeks - 1) * 7 + ((now.getUTCDay() + 6) % 7)) * DAY_MS));
}
