import "server-only";
// Counters the admin report reads instead of scanning users. Each is changed in the same
// transaction as the change it counts; tests compare them with a full recount.
import type { Tx } from "./db";
import { executeSql } from "./sql";

export const counterName = {
  purposeActive: (purposeId: string) => `purpose_active:${purposeId}`,
  fieldStored: (field: string) => `field_stored:${field}`,
  users: "users",
  droppedWrites: "dropped_writes",
  erasures: "erasures",
} as const;

export async function bumpCounter(tx: Tx, name: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await tx.counter.upsert({ where: { name }, create: { name, value: delta }, update: { value: { increment: delta } } });
}

/** Several counters in one statement (the sign-in's field refresh); same semantics as bumpCounter. */
export async function bumpCounters(tx: Tx, deltas: ReadonlyMap<string, number>): Promise<void> {
  const rows = [...deltas].filter(([, delta]) => delta !== 0);
  if (rows.length === 0) return;
  await executeSql(tx, bumpCountersSql(`VALUES ${rows.map(() => "(?, ?)").join(", ")}`), rows.flat());
}

/** Adds each (name, delta) row of `source` (a VALUES list or a SELECT) to its counter, creating it at 0. */
export function bumpCountersSql(source: string): string {
  return `INSERT INTO "counters" ("name", "value") ${source}
     ON CONFLICT ("name") DO UPDATE SET "value" = "counters"."value" + excluded."value"`;
}

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export async function bumpDaily(
  tx: Tx,
  at: Date,
  metric: "granted" | "withdrawn" | "erased",
  key: string,
  delta = 1,
): Promise<void> {
  const day = utcDay(at);
  await tx.dailyStat.upsert({
    where: { day_metric_key: { day, metric, key } },
    create: { day, metric, key, value: delta },
    update: { value: { increment: delta } },
  });
}

export type DailyDelta = { day: string; metric: "granted" | "withdrawn" | "erased"; key: string; value: number };

/**
 * Many daily increments in a few statements, for bulk writers (the seed). Same upsert semantics as
 * bumpDaily; rows are chunked to stay far below both databases' parameter limits.
 */
export async function bumpDailyMany(tx: Tx, deltas: readonly DailyDelta[]): Promise<void> {
  const rows = deltas.filter((d) => d.value !== 0);
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await executeSql(
      tx,
      `INSERT INTO "daily_stats" ("day", "metric", "key", "value") VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")}
       ON CONFLICT ("day", "metric", "key") DO UPDATE SET "value" = "daily_stats"."value" + excluded."value"`,
      chunk.flatMap((d) => [d.day, d.metric, d.key, d.value]),
    );
  }
}
