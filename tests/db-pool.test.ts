// On PostgreSQL the app keeps its pool's connections through a quiet spell (lib/data/db.ts,
// POSTGRES_IDLE_POOL): with pg's default of 10 s, every request after a pause waited for its
// connection to be opened again. A kept connection that PostgreSQL ends meanwhile (a restart, an
// administrator) must cost nothing but a new one: the pool drops it, the process stays up, and the
// next request is answered, in the server and in a process that has used only the driver. SQLite has
// no pool: there the app holds one connection for its life.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, ONLY_ACCOUNT } from "./support/client";
import { testDbKind } from "./support/databases";
import { query } from "./support/inspect";
import { startAppForThisProcess, stopAppForThisProcess, type TestApp } from "./support/server";

const onPostgres = testDbKind() === "postgres";
let app: TestApp;

beforeAll(async () => {
  if (onPostgres) app = await startAppForThisProcess({ label: "dbpool" });
});

afterAll(async () => {
  if (onPostgres) await stopAppForThisProcess(app);
});

// The app's own connections to its database: not this test's (query() opens one per call).
const OTHERS = `FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`;
const appConnections = async () => Number((await query<{ n: number }>(app, `SELECT count(*) AS n ${OTHERS}`))[0]!.n);

describe.runIf(onPostgres)("PostgreSQL: the app's connections through a quiet spell", () => {
  it("keeps them past pg's 10 s default, and answers once PostgreSQL has ended them", async () => {
    const person = new Client(app.origin);
    await person.signIn({ id: "827000001" }, ONLY_ACCOUNT);
    expect((await person.request("GET", "/settings")).status).toBe(200);
    const open = await appConnections();
    expect(open).toBeGreaterThan(0);

    await sleep(12_000);
    // At least as many: the app's own jobs may have opened more meanwhile, never fewer.
    expect(await appConnections()).toBeGreaterThanOrEqual(open);

    const ended = await query<{ ok: boolean }>(app, `SELECT pg_terminate_backend(pid) AS ok ${OTHERS}`);
    expect(ended.length).toBeGreaterThanOrEqual(open);
    expect(ended.every((r) => r.ok)).toBe(true);
    await sleep(500);
    expect(app.process.exitCode).toBeNull();
    expect((await person.request("GET", "/settings")).status).toBe(200);
    await expect(new Client(app.origin).signIn({ id: "827000002" }, ONLY_ACCOUNT)).resolves.toEqual({
      next: "/consent",
    });
    expect(await appConnections()).toBeGreaterThan(0);
  }, 40_000);

  // The same in a process whose only statements went through the driver (lib/data/direct-read.ts),
  // as a server's may after a restart: Prisma's adapter listens for a dying idle connection only from
  // Prisma's first statement, and a pool "error" event with no listener ends the process.
  it("survives the end of an idle connection that only the driver has used", async () => {
    const { readRows } = await import("../lib/data/direct-read");
    expect(await readRows<{ one: number }>(`SELECT 1 AS "one"`)).toEqual([{ one: 1 }]);
    const ended = await query<{ ok: boolean }>(app, `SELECT pg_terminate_backend(pid) AS ok ${OTHERS}`);
    expect(ended.length).toBeGreaterThan(0);
    // The pool hears of it when the connection's socket closes; give that time to arrive here.
    await sleep(500);
    expect(await readRows<{ one: number }>(`SELECT 1 AS "one"`)).toEqual([{ one: 1 }]);
  });
});
