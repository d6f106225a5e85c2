// The signed-in pages read on the driver under Prisma (lib/data/direct-read.ts), and their callers
// read the rows as they read Prisma's: the same times, whatever the process's time zone (pg's own
// parser reads a TIMESTAMP as local time), integers as bigint on both databases, and no writes
// through it. Run in this process against the running app's database (as export-erased.test.ts does),
// with the time zone set far from UTC (Node applies a TZ set at run time).
process.env.TZ = "America/New_York";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client, ONLY_ACCOUNT } from "./support/client";
import { countRows, query } from "./support/inspect";
import { startAppForThisProcess, stopAppForThisProcess, type TestApp } from "./support/server";

let app: TestApp;

beforeAll(async () => {
  app = await startAppForThisProcess({ label: "directread" });
});

afterAll(async () => {
  await stopAppForThisProcess(app);
});

it("reads what Prisma reads: times in UTC in any time zone, integers as bigint, and refuses writes", async () => {
  expect(new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset()).toBe(300);
  const { readRows } = await import("../lib/data/direct-read");
  const { db } = await import("../lib/data/db");
  const c = new Client(app.origin);
  // Synthetic values only.
  await c.signIn({ id: "813000002", first_name: "Dora", username: "dora_direct" }, ONLY_ACCOUNT);
  const id = ((await (await c.get("/api/me")).json()) as { id: string }).id;

  const viaPrisma = await (await db()).user.findUniqueOrThrow({ where: { id }, select: { createdAt: true } });
  const [row] = await readRows<{ created_at: unknown; n: unknown }>(
    `SELECT "created_at", (SELECT COUNT(*) FROM "users") AS "n" FROM "users" WHERE "id" = ?`,
    [id],
  );
  const { timeOf } = await import("../lib/data/sql");
  expect(timeOf(row!.created_at).toISOString()).toBe(viaPrisma.createdAt.toISOString());
  // Within a minute of now: a time read as local would be five hours off.
  expect(Math.abs(timeOf(row!.created_at).getTime() - Date.now())).toBeLessThan(60_000);
  expect(row!.n).toBe(1n);

  await expect(readRows(`DELETE FROM "users" WHERE "id" = ?`, [id])).rejects.toThrow(/SELECT statements only/);
  await expect(readRows(`WITH "x" AS (DELETE FROM "users" RETURNING "id") SELECT 1`)).rejects.toThrow(
    /SELECT statements only/,
  );
  expect(await countRows(app, "users", "id = $1", [id])).toBe(1);
  const [stored] = await query<{ id: string }>(app, `SELECT id FROM users WHERE id = $1`, [id]);
  expect(stored?.id).toBe(id);
});
