import "server-only";
// The sign-in of a returning user, run on the database driver under the Prisma client instead of
// through it (docs/decisions/009-sign-in-cost.md): Prisma's client cost ~150 µs around every raw
// statement, the SQLite adapter prepares each statement afresh, and on PostgreSQL every statement is
// a round trip. This folder (lib/data/sign-in/) is the only code that reads or writes the app's
// data around Prisma (the migration runner and the rate limiter use connections of their own; on
// PostgreSQL the sign-in also checks and spends the account's budget in the limiter's table, in
// its first statement), and it keeps the guarantees of the Prisma version it replaced:
// - the payload's single use is the primary key of used_login_payloads (racing copies: one wins);
// - fields are written only under the user's row lock and only for consents current under it (on
//   SQLite locked before the consents are read; on PostgreSQL by a write that checks the row version
//   the consents were read with), so a withdrawal or erasure either commits first or waits;
// - values pass the vault's storage gate (planFieldWrites): encrypted, covered fields only;
// - fields, counters, audit and session row commit together, or none do (on PostgreSQL the claim
//   commits first, with the read: signInOnPostgres says why that is safe);
// - on PostgreSQL the account's sign-in budget is checked before the claim (a used-up budget claims
//   nothing) and spent by the claim only, in the claim's statement, on the row rate-limiter-flexible
//   keeps for it (lib/data/rate-limit.ts owns that SQL).
// The payload claim, session row, audit row, counters and field upsert come as SQL text from the
// module that owns each table (which runs the same text through Prisma, except the claim, which only
// the sign-in makes), so the two paths cannot drift; the statements only the sign-in runs (locking
// and reading the user, reading the consents, deleting emptied fields, the guarded CTEs) are here.
import type BetterSqlite3 from "better-sqlite3";
import type { Pool, PoolClient, QueryResult, QueryResultRow } from "pg";
import { auditInsertSql, auditParams } from "../audit";
import { budgetSpendParams, budgetSpendSql, budgetUsedUpParams, budgetUsedUpSql, type BudgetRow } from "../rate-limit";
import { claimSql } from "../login-replay";
import { newSessionId, sessionInsertSql } from "../sessions";
import { dialect, pgStatementName, preparedOn, sqlTime, timeParam } from "../sql";
import { rollBackAndRelease } from "../direct-read";
import { bumpCountersSql, counterName } from "../stats";
import { fieldUpsertStatement } from "../field-statement";
import { dataKeyOf, planFieldWrites, type FieldWritePlan } from "../vault";
import { fieldsWritableUnder, type ConsentStateRow } from "../storage-rule";

export type DirectSignIn = {
  /** The Telegram id's index under the current blind-index key, then under the previous one (or again). */
  indexes: readonly [string, string];
  values: Partial<Record<string, string | null | undefined>>;
  /**
   * With `budget` (PostgreSQL only: the account's sign-in budget in the limiter's table), the
   * claim's statement checks the budget first, claims nothing if it is used up, and spends it if it
   * claimed. On SQLite the limits are in memory, checked and spent around the sign-in (index.ts).
   */
  claim?: { replayKey: string; expiresAt: Date; budget?: BudgetRow };
  sessionExpiresAt?: Date;
};

export type DirectOutcome =
  | { kind: "existing"; userId: string; sessionVersion: number; sessionId: string | null; states: ConsentStateRow[] }
  | { kind: "new" }
  | { kind: "replay" }
  /** The budget was used up (its row expires at `expire`, epoch ms): nothing was claimed or written. */
  | { kind: "limited"; expire: number | null };

type UserRow = { id: string; session_version: unknown; wrapped_data_key: Uint8Array; wrap_key_id: string };
type StateRow = { purpose_id: string; purpose_version: string; locale: string; granted: unknown };

function lockUserSql(): string {
  // The UPDATE is the row lock; RETURNING reads the user under it.
  return `UPDATE "users" SET "last_sign_in_at" = ${timeParam()} WHERE "telegram_id_index" IN (?, ?) RETURNING "id", "session_version", "wrapped_data_key", "wrap_key_id"`;
}

const CONSENTS_SQL = `SELECT "purpose_id", "purpose_version", "locale", "granted" FROM "consent_states" WHERE "user_id" = ?`;

/** SQLite answers booleans as 0/1 (bigint on this connection). */
function toStates(rows: readonly StateRow[]): ConsentStateRow[] {
  return rows.map((r) => ({
    purposeId: r.purpose_id,
    purposeVersion: r.purpose_version,
    locale: r.locale,
    granted: r.granted === true || Number(r.granted) === 1,
  }));
}

function planFor(user: UserRow, states: readonly ConsentStateRow[], values: DirectSignIn["values"]): FieldWritePlan {
  const dataKey = dataKeyOf({ id: user.id, wrappedDataKey: user.wrapped_data_key, wrapKeyId: user.wrap_key_id });
  return planFieldWrites({ id: user.id, dataKey }, values, fieldsWritableUnder(states));
}

/**
 * SQLite, inside a transaction the caller opened on `connection` (lib/data/group-commit.ts). Synchronous on
 * purpose: no other code can run a statement on the shared connection between these.
 */
export function signInOnSqlite(connection: BetterSqlite3.Database, req: DirectSignIn): DirectOutcome {
  if (req.claim?.budget) throw new Error("A budget in SQL is for PostgreSQL; SQLite's limits are in memory.");
  const now = new Date();
  const time = sqlTime(now);
  if (
    req.claim &&
    preparedOn(connection, claimSql()).run(req.claim.replayKey, sqlTime(req.claim.expiresAt)).changes !== 1
  )
    return { kind: "replay" };
  const user = preparedOn(connection, lockUserSql()).get(time, ...req.indexes) as UserRow | undefined;
  if (!user) return { kind: "new" };
  const states = toStates(preparedOn(connection, CONSENTS_SQL).all(user.id) as StateRow[]);
  const plan = planFor(user, states, req.values);
  const counters = new Map<string, number>();
  for (const field of plan.erase) {
    const { changes } = preparedOn(connection, `DELETE FROM "user_fields" WHERE "user_id" = ? AND "field" = ?`).run(
      user.id,
      field,
    );
    counters.set(counterName.fieldStored(field), -Number(changes));
  }
  if (plan.upserts.length) {
    const upsert = fieldUpsertStatement(user.id, plan.upserts, now);
    for (const r of preparedOn(connection, upsert.sql).all(...upsert.params) as { field: string; created: unknown }[]) {
      if (Number(r.created) === 1) counters.set(counterName.fieldStored(r.field), 1);
    }
  }
  counters.set(counterName.droppedWrites, plan.dropped);
  const deltas = [...counters].filter(([, delta]) => delta !== 0);
  if (deltas.length)
    preparedOn(connection, bumpCountersSql(`VALUES ${deltas.map(() => "(?, ?)").join(", ")}`)).run(...deltas.flat());
  preparedOn(connection, auditInsertSql()).run(
    ...auditParams("auth.signed_in", user.id, now, { dropped: plan.dropped }),
  );
  let sessionId: string | null = null;
  if (req.sessionExpiresAt) {
    sessionId = newSessionId();
    preparedOn(connection, sessionInsertSql()).run(sessionId, user.id, sqlTime(req.sessionExpiresAt), time);
  }
  return { kind: "existing", userId: user.id, sessionVersion: Number(user.session_version), sessionId, states };
}

/**
 * PostgreSQL, usually in two statements and no transaction block (docs/decisions/009): every
 * statement is a round trip, and in the bench a round trip cost the app about as much CPU as the
 * rest of the sign-in. The user's row version (xmin) makes the pair as safe as the locked
 * transaction it replaces:
 * 1. `read`: claims the payload and reads the user, their row version and their consents, all in
 *    one snapshot. Nothing is locked, so a consent change may commit right after it.
 * 2. `write`: locks the user row by UPDATE only if its version is still the one read, and writes
 *    the fields, counters, audit event and session only if it did. Every consent change and
 *    erasure goes through withUserWriteLock, which updates the user row before touching consents or
 *    fields (lib/data/locks.ts; lib/data/locks.test.ts fails on a writer that does not), so an
 *    unchanged version proves the consents read in 1 are still the current ones, and the lock keeps
 *    them so until this statement commits. A statement that waited for the lock re-checks the
 *    version on the newest row (READ COMMITTED), so a change that committed meanwhile is seen.
 * If the version moved (a consent change, an erasure, another sign-in or a key rotation between the
 * two), the sign-in runs again as one locked transaction (`lockedSignIn`), which cannot race. The
 * claim commits in 1 on its own: a sign-in that fails after it has used its payload, which is what
 * a single-use payload is for; nothing personal is written before 2.
 */
export async function signInOnPostgres(
  pool: Pool,
  req: DirectSignIn,
  hooks: { betweenReadAndWrite?: () => Promise<void> } = {},
): Promise<DirectOutcome> {
  const connection = await pool.connect();
  try {
    const read = await readUser(connection, req);
    if (read.kind !== "user") {
      connection.release();
      return read;
    }
    await hooks.betweenReadAndWrite?.();
    // Step 2: everything the sign-in writes, in one statement that does nothing unless the version held.
    const now = new Date();
    const locked = {
      sql: `"locked" AS (UPDATE "users" SET "last_sign_in_at" = ${timeParam()} WHERE "id" = ? AND "xmin" = CAST(? AS XID) RETURNING "id", "session_version")`,
      params: [sqlTime(now), read.user.id, read.user.rowVersion],
    };
    const outcome = await writeStatement(connection, read.user, read.states, req, now, locked);
    if (outcome) {
      connection.release();
      return outcome;
    }
  } catch (e) {
    connection.release();
    throw e;
  }
  // The single use is already claimed, by the read above.
  return lockedSignIn(connection, req);
}

/**
 * The locked transaction, after a read whose version did not hold: BEGIN; lock and read the user;
 * the consents in a second statement (a fresh snapshot, taken after the lock: all parts of one
 * statement share the snapshot from before the UPDATE waited, which could predate a withdrawal);
 * write; COMMIT. The payload was claimed by the read, so `req.claim` is not used here.
 */
async function lockedSignIn(connection: PoolClient, req: DirectSignIn): Promise<DirectOutcome> {
  try {
    await connection.query("BEGIN");
    const now = new Date();
    const user = (await query<UserRow>(connection, dialect(lockUserSql()), [sqlTime(now), ...req.indexes])).rows[0];
    let outcome: DirectOutcome = { kind: "new" };
    if (user) {
      const states = toStates((await query<StateRow>(connection, dialect(CONSENTS_SQL), [user.id])).rows);
      // The row is locked by this transaction already: "locked" only names it for the writes.
      const locked = {
        sql: `"locked" AS (SELECT "id", "session_version" FROM "users" WHERE "id" = ?)`,
        params: [user.id],
      };
      outcome = (await writeStatement(connection, user, states, req, now, locked)) ?? unreachable();
    }
    await connection.query("COMMIT");
    connection.release();
    return outcome;
  } catch (e) {
    await rollBackAndRelease(connection);
    throw e;
  }
}

/**
 * A named statement: PostgreSQL parses and plans it once per connection instead of on every
 * sign-in (it shares the machine's cores with the app). The texts are a handful of shapes.
 */
function query<R extends QueryResultRow>(
  connection: PoolClient,
  text: string,
  values: unknown[],
): Promise<QueryResult<R>> {
  return connection.query<R>({ name: pgStatementName("sign_in", text), text, values });
}

type ReadRow = Partial<UserRow> & {
  used_up?: boolean;
  used_up_expire?: string | null;
  claimed: boolean;
  row_version: string | null;
  states: [string, string, boolean, string][] | null;
};

/**
 * Step 1: the account's budget (checked before the claim, spent with it), the claim, the user (with
 * its row version) and the consents, in one snapshot.
 */
async function readUser(
  connection: PoolClient,
  req: DirectSignIn,
): Promise<
  | { kind: "user"; user: UserRow & { rowVersion: string }; states: ConsentStateRow[] }
  | { kind: "new" }
  | { kind: "replay" }
  | { kind: "limited"; expire: number | null }
> {
  const ctes: string[] = [];
  const params: unknown[] = [];
  const budget = req.claim?.budget;
  if (budget) {
    ctes.push(`"used_up" AS (${budgetUsedUpSql()})`);
    params.push(...budgetUsedUpParams(budget));
  }
  if (req.claim) {
    ctes.push(`"claim" AS (${claimSql(budget && "used_up")} RETURNING 1)`);
    params.push(req.claim.replayKey, sqlTime(req.claim.expiresAt));
  }
  if (budget) {
    // Spent only by a payload this statement claimed: a replayed copy never spends its owner's budget.
    ctes.push(`"spent" AS (${budgetSpendSql("claim")})`);
    params.push(...budgetSpendParams(budget));
  }
  const { rows } = await query<ReadRow>(
    connection,
    dialect(`${ctes.length ? `WITH ${ctes.join(",\n")} ` : ""}SELECT ${budget ? `EXISTS (SELECT 1 FROM "used_up") AS "used_up", CAST((SELECT "expire" FROM "used_up") AS TEXT) AS "used_up_expire", ` : ""}${req.claim ? `EXISTS (SELECT 1 FROM "claim")` : "true"} AS "claimed",
      "u"."id", "u"."session_version", "u"."wrapped_data_key", "u"."wrap_key_id", CAST("u"."xmin" AS TEXT) AS "row_version",
      (SELECT json_agg(json_build_array("c"."purpose_id", "c"."purpose_version", "c"."granted", "c"."locale")) FROM "consent_states" AS "c" WHERE "c"."user_id" = "u"."id") AS "states"
      FROM (SELECT 1) AS "one" LEFT JOIN "users" AS "u" ON "u"."telegram_id_index" IN (?, ?)`),
    [...params, ...req.indexes],
  );
  const row = rows[0];
  if (row?.used_up) return { kind: "limited", expire: row.used_up_expire == null ? null : Number(row.used_up_expire) };
  if (!row?.claimed) return { kind: "replay" };
  if (!row.id || row.row_version === null) return { kind: "new" };
  const states = (row.states ?? []).map(([purposeId, purposeVersion, granted, locale]) => ({
    purposeId,
    purposeVersion,
    locale,
    granted: granted === true,
  }));
  return { kind: "user", user: { ...(row as UserRow), rowVersion: row.row_version }, states };
}

const unreachable = (): never => {
  throw new Error("the locked user row vanished inside its own transaction");
};

/**
 * The fields, counters, audit event and session row, as data-modifying CTEs of one statement, each
 * writing only if the CTE `locked` (given by the caller, first) returned the user's row; null if
 * it did not, and so nothing was written.
 */
async function writeStatement(
  connection: PoolClient,
  user: UserRow,
  states: readonly ConsentStateRow[],
  req: DirectSignIn,
  now: Date,
  locked: { sql: string; params: unknown[] },
): Promise<DirectOutcome | null> {
  const plan = planFor(user, states, req.values);
  const parts: string[] = [locked.sql];
  const params: unknown[] = [...locked.params];
  const counted: string[] = [];
  const pairs = (fields: readonly string[]) => {
    params.push(...fields.flatMap((f) => [f, counterName.fieldStored(f)]));
    return `(VALUES ${fields.map(() => "(?, ?)").join(", ")}) AS "n"("field", "name")`;
  };
  if (plan.upserts.length) {
    const upsert = fieldUpsertStatement(user.id, plan.upserts, now, "locked");
    parts.push(`"stored" AS (${upsert.sql})`);
    params.push(...upsert.params);
  }
  if (plan.erase.length) {
    parts.push(
      `"erased" AS (DELETE FROM "user_fields" WHERE "user_id" = (SELECT "id" FROM "locked") AND "field" IN (${plan.erase.map(() => "?").join(", ")}) RETURNING "field")`,
    );
    params.push(...plan.erase);
  }
  // Counter names come from counterName, joined to what the statement reports it created or erased.
  if (plan.upserts.length)
    counted.push(
      `SELECT "n"."name", 1 FROM "stored" JOIN ${pairs(plan.upserts.map((u) => u.field))} ON "n"."field" = "stored"."field" WHERE "stored"."created" = 1`,
    );
  if (plan.erase.length)
    counted.push(`SELECT "n"."name", -1 FROM "erased" JOIN ${pairs(plan.erase)} ON "n"."field" = "erased"."field"`);
  if (plan.dropped) {
    counted.push(`SELECT ?, CAST(? AS INTEGER) FROM "locked"`);
    params.push(counterName.droppedWrites, plan.dropped);
  }
  if (counted.length) parts.push(`"counted" AS (${bumpCountersSql(counted.join(" UNION ALL "))})`);
  parts.push(`"audited" AS (${auditInsertSql("locked")})`);
  params.push(...auditParams("auth.signed_in", user.id, now, { dropped: plan.dropped }));
  let sessionId: string | null = null;
  if (req.sessionExpiresAt) {
    sessionId = newSessionId();
    parts.push(`"opened" AS (${sessionInsertSql("locked")})`);
    params.push(sessionId, user.id, sqlTime(req.sessionExpiresAt), sqlTime(now));
  }
  // Every data-modifying CTE runs whether or not the final SELECT reads it.
  const { rows } = await query<{ session_version: unknown }>(
    connection,
    dialect(`WITH ${parts.join(",\n")} SELECT "session_version" FROM "locked"`),
    params,
  );
  const row = rows[0];
  return row
    ? { kind: "existing", userId: user.id, sessionVersion: Number(row.session_version), sessionId, states: [...states] }
    : null;
}
