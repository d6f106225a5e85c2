import "server-only";
// Rate limits (rate-limiter-flexible): in memory for one instance on SQLite, shared through the
// PostgreSQL database when several instances use it, so a limit holds whichever instance answers.
// Keys are HMACs: the table never holds an address or a Telegram id. Why each limit is keyed the
// way it is: docs/decisions/007-rate-limits-and-client-address.md.
import { createHmac } from "node:crypto";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "../core/env";
import { POSTGRES_IDLE_POOL } from "./db";

export const RATE_LIMITS = {
  /** Every sign-in attempt per client address; applied only behind a trusted proxy (TRUST_PROXY). */
  loginAddress: { points: 30, duration: 60 },
  /** Refused sign-in attempts per client address. A spoofed address throttles only refusals. */
  loginRefused: { points: 10, duration: 60 },
  /** Verified sign-ins per Telegram account: only Telegram can mint these, so the key cannot be forged. */
  loginAccount: { points: 10, duration: 600 },
  /** Consent decisions per user (or per pending first sign-in). */
  consent: { points: 30, duration: 60 },
  /** Exports and consent receipts per user. */
  export: { points: 10, duration: 60 },
  /** Erasure requests per user. */
  erasure: { points: 3, duration: 600 },
  /** Bot updates per Telegram sender, after the secret-token check; past it, updates are acknowledged and dropped. */
  webhook: { points: 20, duration: 60 },
  /** OpenID Connect starts and callbacks per client address; applied only behind a trusted proxy (TRUST_PROXY). */
  oidcAddress: { points: 30, duration: 60 },
  /** Refused OpenID Connect callbacks per client address. A spoofed address throttles only refusals. */
  oidcRefused: { points: 10, duration: 60 },
  /** Audit rows for a signed-in non-admin refused the admin report; past it, refusals are not recorded. */
  adminRefused: { points: 10, duration: 600 },
  /** Bot deep links per user (each writes a token and an audit row). */
  botLink: { points: 10, duration: 600 },
  /** Phone-number lookups per admin (/admin/contact), shown or refused: one person at a time, not a sweep. */
  contactLookup: { points: 20, duration: 3600 },
} as const satisfies Record<string, { points: number; duration: number }>;

export type LimitName = keyof typeof RATE_LIMITS;

export class RateLimitedError extends Error {
  override name = "RateLimitedError";
  constructor(
    readonly limit: LimitName,
    readonly retryAfterSeconds: number,
  ) {
    super("Too many requests.");
  }
}

export const RATE_LIMIT_TABLE = "rate_limits";

type Limiters = Record<
  LimitName,
  { consume: (key: string) => Promise<unknown>; get: (key: string) => Promise<RateLimiterRes | null> }
>;

function byName(make: (name: LimitName) => Limiters[LimitName]): Limiters {
  return Object.fromEntries((Object.keys(RATE_LIMITS) as LimitName[]).map((n) => [n, make(n)])) as Limiters;
}

function points(name: LimitName): number {
  return Math.max(1, Math.round(RATE_LIMITS[name].points * env().rateLimitFactor));
}

function memoryLimiter(name: LimitName): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix: name, points: points(name), duration: RATE_LIMITS[name].duration });
}

async function buildLimiters(): Promise<Limiters> {
  if (env().databaseKind !== "postgres") return byName(memoryLimiter);
  // The rate limiter keeps its own small pool (rate-limiter-flexible takes a pg pool), not the data layer's.
  // eslint-disable-next-line house/import-boundaries -- its counters are not app data (lib/data/ holds that)
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: env().databaseUrl, max: 3, ...POSTGRES_IDLE_POOL });
  // An idle connection dropped by the server must not take the process down; the next query reconnects.
  pool.on("error", () => {});
  return byName(
    (n) =>
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: "pool",
        tableName: RATE_LIMIT_TABLE,
        // The migrations create the table (prisma/models.prisma, RateLimit): the app runs no DDL.
        tableCreated: true,
        keyPrefix: n,
        points: points(n),
        duration: RATE_LIMITS[n].duration,
        // If the database does not answer, each instance keeps limiting on its own.
        insuranceLimiter: memoryLimiter(n),
      }),
  );
}

const globalForLimits = globalThis as unknown as { __consentLimiters?: Promise<Limiters> };

function limiters(): Promise<Limiters> {
  globalForLimits.__consentLimiters ??= buildLimiters().catch((e) => {
    globalForLimits.__consentLimiters = undefined;
    throw e;
  });
  return globalForLimits.__consentLimiters;
}

/**
 * Keys are HMACs under the current session secret, with the limit's name inside the MAC: no address
 * or id reaches the store. Rotating SESSION_SECRET therefore starts every count afresh.
 */
function storedKey(name: LimitName, key: string): string {
  return createHmac("sha256", env().sessionSecrets[0]!)
    .update(`rate-limit\u0000${name}\u0000${key}`)
    .digest("base64url")
    .slice(0, 32);
}

function isLimiterAnswer(e: unknown): e is RateLimiterRes {
  return (
    e instanceof RateLimiterRes ||
    (typeof e === "object" && e !== null && "msBeforeNext" in e && "remainingPoints" in e && !(e instanceof Error))
  );
}

/** Counts one request against the limit; throws RateLimitedError when it is used up. */
export async function consume(name: LimitName, key: string): Promise<void> {
  const limiter = (await limiters())[name];
  try {
    await limiter.consume(storedKey(name, key));
  } catch (e) {
    // By shape, not instanceof: the limiters live on globalThis, built by whichever server bundle came
    // first, and each bundle has its own copy of RateLimiterRes (a page refused after a route built
    // them answered 500).
    if (isLimiterAnswer(e)) throw new RateLimitedError(name, Math.max(1, Math.ceil(e.msBeforeNext / 1000)));
    throw e;
  }
}

/** consume() for a caller that goes on either way: false when the limit is used up. */
export async function withinLimit(name: LimitName, key: string): Promise<boolean> {
  try {
    await consume(name, key);
    return true;
  } catch (e) {
    if (e instanceof RateLimitedError) return false;
    throw e;
  }
}

/**
 * Whether the limit is used up for this key, without counting a request against it: for checking a
 * limit before doing the work it guards, and spending it only afterwards, when the work says so.
 */
export async function isBlocked(name: LimitName, key: string): Promise<RateLimitedError | null> {
  const res = await (await limiters())[name].get(storedKey(name, key));
  if (!res || res.consumedPoints < points(name)) return null;
  return new RateLimitedError(name, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
}

/**
 * consume() for work that has happened and is not refused any more: a caller racing past the check
 * may overshoot the limit by the number of racers; the next caller meets the check.
 */
export async function spend(name: LimitName, key: string): Promise<void> {
  await consume(name, key).catch((e: unknown) => {
    if (!(e instanceof RateLimitedError)) throw e;
  });
}

/**
 * A limit's row in the shared table, for a statement that checks and spends it together with other
 * work in one round trip (the PostgreSQL sign-in, lib/data/sign-in/direct.ts, checks the account's
 * budget, claims the payload and spends the budget in one statement, where isBlocked and consume
 * were a statement each). The row is the one RateLimiterPostgres reads and writes for the same limit
 * and key, with its arithmetic (budgetUsedUpSql, budgetSpendSql), so either side sees what the other
 * spent. Null when limits are kept in memory (SQLite): use isBlocked and spend there.
 */
export type BudgetRow = { name: LimitName; key: string; points: number; now: number; newExpire: number };

export function budgetRow(name: LimitName, key: string): BudgetRow | null {
  if (env().databaseKind !== "postgres") return null;
  const now = Date.now();
  return {
    name,
    // rate-limiter-flexible's getKey: the limiter's keyPrefix (its name), a colon, the key.
    key: `${name}:${storedKey(name, key)}`,
    points: points(name),
    now,
    newExpire: now + RATE_LIMITS[name].duration * 1000,
  };
}

/**
 * The row of a used-up budget, with its expiry (epoch ms): none while requests remain. As
 * RateLimiterPostgres's get() with isBlocked's test. PostgreSQL `?` placeholders: key, now, points.
 */
export function budgetUsedUpSql(): string {
  return `SELECT "expire" FROM "${RATE_LIMIT_TABLE}" WHERE "key" = ? AND ("expire" > ? OR "expire" IS NULL) AND "points" >= ?`;
}

export function budgetUsedUpParams(row: BudgetRow): unknown[] {
  return [row.key, row.now, row.points];
}

/**
 * Spends one point for each row of the CTE `onlyIf` (at most one): RateLimiterPostgres's upsert for
 * consume(key, 1), which starts a fresh window once the stored one has expired.
 */
export function budgetSpendSql(onlyIf: string): string {
  const t = `"${RATE_LIMIT_TABLE}"`;
  return `INSERT INTO ${t} ("key", "points", "expire") SELECT CAST(? AS TEXT), 1, CAST(? AS BIGINT) FROM "${onlyIf}"
    ON CONFLICT ("key") DO UPDATE SET
      "points" = CASE WHEN ${t}."expire" <= CAST(? AS BIGINT) THEN 1 ELSE ${t}."points" + 1 END,
      "expire" = CASE WHEN ${t}."expire" <= CAST(? AS BIGINT) THEN CAST(? AS BIGINT) ELSE ${t}."expire" END`;
}

export function budgetSpendParams(row: BudgetRow): unknown[] {
  return [row.key, row.newExpire, row.now, row.now, row.newExpire];
}

/** The refusal for a used-up budget whose row expires at `expire` (epoch ms; null: never). */
export function budgetRefusal(row: BudgetRow, expire: number | null): RateLimitedError {
  const ms = expire === null ? -1 : Math.max(expire - Date.now(), 0);
  return new RateLimitedError(row.name, Math.max(1, Math.ceil(ms / 1000)));
}

/**
 * The client address for rate limiting. `next start` fills X-Forwarded-For from the socket only when
 * the request has none, so without a proxy a client can write it; behind a proxy that appends the
 * address it saw, the last hop is the real client. `trusted` says which of the two this is.
 */
export function clientAddress(headers: Headers): { address: string; trusted: boolean } {
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return { address: hops.at(-1) ?? "unknown", trusted: env().trustProxy };
}
