// A Telegram account's sign-in budget (docs/decisions/007: 10 sign-ins per 10 minutes) is checked
// before the payload is claimed, so a used-up account keeps its payload unused, and spent only by a
// payload that won its claim, so a replayed copy never spends its owner's budget. On PostgreSQL the
// limits live in the database (rate-limiter-flexible's table, shared by every instance) and the
// sign-in's first statement does all three (lib/data/sign-in/direct.ts): a returning sign-in is two
// statements, where the limiter's check and spend were two more round trips of their own. These tests
// hold the outcomes on both databases, and on PostgreSQL that the row the statement spends is the one
// rate-limiter-flexible reads and writes, both ways.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, ONLY_ACCOUNT, signedPayload } from "./support/client";
import { testDbKind } from "./support/databases";
import { countRows, query } from "./support/inspect";
import { startAppForThisProcess, stopAppForThisProcess, type TestApp } from "./support/server";

const onPostgres = testDbKind() === "postgres";
const BUDGET = 10;
let app: TestApp;
let nextId = 826_000_000;
const freshId = () => String((nextId += 1));

beforeAll(async () => {
  app = await startAppForThisProcess({ label: "signinbudget", env: { RATE_LIMIT_FACTOR: "1" } });
});

afterAll(async () => {
  await stopAppForThisProcess(app);
});

const post = (payload: Record<string, string>) =>
  new Client(app.origin).request("POST", "/api/auth/telegram", { json: payload });

describe("an account's sign-in budget, through the app", () => {
  it("refuses the sign-in past the budget with 429 and leaves its payload unused; a replay spends nothing", async () => {
    const id = freshId();
    // The first sign-in (held for consent, then the account) and a second one count.
    await new Client(app.origin).signIn({ id }, ONLY_ACCOUNT);
    const second = signedPayload({ id });
    expect((await post(second)).status).toBe(200);
    // Replays of a used payload: refused, and not counted.
    for (let i = 0; i < 3; i++) expect((await post(second)).status, `replay ${i + 1}`).toBe(401);
    for (let i = 2; i < BUDGET; i++) expect((await post(signedPayload({ id }))).status, `sign-in ${i + 1}`).toBe(200);
    const claimsBefore = await countRows(app, "used_login_payloads");
    const over = signedPayload({ id });
    const refused = await post(over);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(await countRows(app, "used_login_payloads")).toBe(claimsBefore);
    if (onPostgres) {
      const rows = await query<{ points: number }>(
        app,
        `SELECT points FROM rate_limits WHERE key LIKE 'loginAccount:%'`,
      );
      expect(rows.map((r) => Number(r.points))).toEqual([BUDGET]);
    }
  });
});

describe.runIf(onPostgres)("PostgreSQL: the budget in the sign-in's own statements", () => {
  type Direct = typeof import("../lib/data/sign-in/direct");
  let direct: Direct;
  let limits: typeof import("../lib/data/rate-limit");
  let vault: typeof import("../lib/data/vault");
  let users: typeof import("../lib/data/users");
  let pool: pg.Pool;
  let statements = 0;

  beforeAll(async () => {
    direct = await import("../lib/data/sign-in/direct");
    limits = await import("../lib/data/rate-limit");
    vault = await import("../lib/data/vault");
    users = await import("../lib/data/users");
    pool = new pg.Pool({ connectionString: app.db.url, max: 2 });
    // Every statement a sign-in sends on a connection of this pool is counted.
    pool.on("connect", (client) => {
      const send = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        statements += 1;
        return send(...args);
      };
    });
  });
  afterAll(async () => {
    await pool?.end();
  });

  async function signIn(id: string) {
    const telegramId = BigInt(id);
    const replayKey = randomBytes(32).toString("base64url");
    const budget = limits.budgetRow("loginAccount", id)!;
    const before = statements;
    const outcome = await direct.signInOnPostgres(pool, {
      indexes: vault.telegramIdIndexes(telegramId),
      values: users.profileValues({ telegramId, first_name: "Budget" }),
      claim: { replayKey, expiresAt: new Date(Date.now() + 86_400_000), budget },
      sessionExpiresAt: new Date(Date.now() + 3_600_000),
    });
    const claimed = await countRows(app, "used_login_payloads", "digest = $1", [replayKey]);
    return { outcome, statements: statements - before, claimed };
  }

  it("checks, claims and spends in the first of two statements; rate-limiter-flexible reads what it spent", async () => {
    const id = freshId();
    await new Client(app.origin).signIn({ id }, ONLY_ACCOUNT);
    expect(await limits.isBlocked("loginAccount", id)).toBeNull();
    const { outcome, statements: n, claimed } = await signIn(id);
    expect(outcome.kind).toBe("existing");
    expect(n).toBe(2);
    expect(claimed).toBe(1);
    const [row] = await query<{ points: number; expire: string }>(
      app,
      `SELECT points, expire FROM rate_limits WHERE key = $1`,
      [limits.budgetRow("loginAccount", id)!.key],
    );
    // The app's first sign-in and this one.
    expect(Number(row!.points)).toBe(2);
    // The rest of the budget, spent by the library: its last point is what the statement then refuses.
    for (let i = 2; i < BUDGET; i++) await limits.consume("loginAccount", id);
    expect(await limits.isBlocked("loginAccount", id)).not.toBeNull();
    const refused = await signIn(id);
    expect(refused.outcome).toMatchObject({ kind: "limited", expire: Number(row!.expire) });
    expect(refused.statements).toBe(1);
    expect(refused.claimed).toBe(0);
  });

  it("a replayed payload's statement claims nothing and spends nothing", async () => {
    const id = freshId();
    await new Client(app.origin).signIn({ id }, ONLY_ACCOUNT);
    const telegramId = BigInt(id);
    const replayKey = randomBytes(32).toString("base64url");
    const req = {
      indexes: vault.telegramIdIndexes(telegramId),
      values: users.profileValues({ telegramId, first_name: "Budget" }),
      claim: { replayKey, expiresAt: new Date(Date.now() + 86_400_000), budget: limits.budgetRow("loginAccount", id)! },
      sessionExpiresAt: new Date(Date.now() + 3_600_000),
    };
    expect((await direct.signInOnPostgres(pool, req)).kind).toBe("existing");
    for (let i = 0; i < 3; i++) expect((await direct.signInOnPostgres(pool, req)).kind).toBe("replay");
    const [row] = await query<{ points: number }>(app, `SELECT points FROM rate_limits WHERE key = $1`, [
      req.claim.budget.key,
    ]);
    expect(Number(row!.points)).toBe(2);
  });
});
