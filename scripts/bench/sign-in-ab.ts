// `npx tsx --conditions=react-server scripts/bench/sign-in-ab.ts [--rounds 6] [--per-round 400] [--concurrency 8]`
// The PostgreSQL sign-in's database part, the account's budget checked and spent by the limiter
// around it ("around": isBlocked, the sign-in's two statements, consume) against the budget inside
// its first statement ("inside"), alternating in one process on the same returning people, so the
// machine's load moves both alike (docs/decisions/009). Per sign-in: this process's CPU (the pg
// driver, the limiter, the sign-in's code), the CPU of the PostgreSQL backends serving the
// database, and wall time. The HTTP part is left out: it is the same on both sides.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { secretsOf } from "../../tests/support/consistency";
import { freshDatabase } from "../../tests/support/databases";
import { startApp } from "../../tests/support/server";
import { cpuSecondsOf, createReturningUsers } from "./load";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const ROUNDS = arg("rounds", 6);
const PER_ROUND = arg("per-round", 400);
const CONCURRENCY = arg("concurrency", 8);
const USERS = 50;

const app = await startApp({
  label: "signinab",
  db: await freshDatabase("signinab", "postgres"),
  env: { LOG_LEVEL: "warn" },
});
try {
  const idBase = 9_100_000_000 + Math.floor(Math.random() * 1e8);
  const ids = await createReturningUsers(app.url, USERS, idBase);
  Object.assign(process.env, {
    ...secretsOf(app.env),
    DATABASE_URL: app.db.url,
    DATA_DIR: app.db.dir,
    LOG_LEVEL: "silent",
    RATE_LIMIT_FACTOR: "1000",
  });
  const direct = await import("../../lib/data/sign-in/direct");
  const limits = await import("../../lib/data/rate-limit");
  const vault = await import("../../lib/data/vault");
  const users = await import("../../lib/data/users");
  const pool = new pg.Pool({ connectionString: app.db.url, max: CONCURRENCY });

  async function signIn(i: number, variant: "around" | "inside"): Promise<void> {
    const id = ids[i % USERS]!;
    const telegramId = BigInt(id);
    const req = {
      indexes: vault.telegramIdIndexes(telegramId),
      values: users.profileValues({ telegramId, first_name: `Bench${i % USERS}`, username: `bench_user_${i % USERS}` }),
      claim: {
        replayKey: randomBytes(32).toString("base64url"),
        expiresAt: new Date(Date.now() + 86_400_000),
        budget: variant === "inside" ? limits.budgetRow("loginAccount", id)! : undefined,
      },
      sessionExpiresAt: new Date(Date.now() + 3_600_000),
    };
    if (variant === "around" && (await limits.isBlocked("loginAccount", id))) throw new Error("budget used up");
    const outcome = await direct.signInOnPostgres(pool, req);
    if (outcome.kind !== "existing") throw new Error(`unexpected ${outcome.kind}`);
    if (variant === "around") await limits.spend("loginAccount", id);
  }

  async function backends(): Promise<Map<number, number>> {
    const { rows } = await pool.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    return new Map(rows.map(({ pid }) => [pid, cpuSecondsOf(pid)]));
  }

  async function round(variant: "around" | "inside") {
    let next = 0;
    const pg0 = await backends();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < PER_ROUND) await signIn(next++, variant);
      }),
    );
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const pgCpu = [...(await backends())].reduce((sum, [pid, s]) => sum + s - (pg0.get(pid) ?? 0), 0);
    return {
      nodeUs: (cpu.user + cpu.system) / PER_ROUND,
      pgUs: (pgCpu * 1e6) / PER_ROUND,
      wallUs: (wallMs * 1000) / PER_ROUND,
    };
  }

  await round("around");
  await round("inside");
  const results: Record<string, { nodeUs: number; pgUs: number; wallUs: number }[]> = { around: [], inside: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of r % 2 ? (["inside", "around"] as const) : (["around", "inside"] as const))
      results[v]!.push(await round(v));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const table = Object.fromEntries(
    Object.entries(results).map(([v, rs]) => [
      v,
      {
        "node CPU µs": median(rs.map((r) => r.nodeUs)).toFixed(0),
        "PostgreSQL CPU µs": median(rs.map((r) => r.pgUs)).toFixed(0),
        "wall µs (per sign-in, concurrent)": median(rs.map((r) => r.wallUs)).toFixed(0),
      },
    ]),
  );
  console.table(table);
  console.log(
    `${ROUNDS} rounds of ${PER_ROUND} sign-ins each, ${CONCURRENCY} at a time, medians; load average ${(
      await import("node:os")
    )
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  await pool.end();
  await (await import("../../lib/data/db")).disconnect();
} finally {
  await app.stop();
  await app.db.drop();
}
process.exit(0);
