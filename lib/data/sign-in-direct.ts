import "server-only";
// The sign-in of a returning user, run on the database driver under the Prisma client instead of
// through it (docs/decisions/009-sign-in-cost.md): Prisma's client cost ~150 µs around every raw
// statement, the SQLite adapter prepares each statement afresh, and on PostgreSQL every statement is
// a round trip. This is the only code that goes around Prisma, and it keeps the guarantees of the
// Prisma version it replaced:
// - the payload's single use is the primary key of used_login_payloads (racing copies: one wins);
// - the user row is locked by UPDATE before the consents are read, and the fields are written in
//   the same transaction, so a withdrawal or erasure either commits first or waits;
// - values pass the vault's storage gate (planFieldWrites): encrypted, covered fields only;
// - counters, audit and session row commit with the rest, or nothing does.
// The SQL texts come from the modules that own each table; only their assembly lives here.
import type BetterSqlite3 from "better-sqlite3";
import { createHash } from "node:crypto";
import type { Pool, PoolClient, QueryResult, QueryResultRow } from "pg";
import { auditInsertSql, auditParams } from "./audit";
import { claimSql } from "./login-replay";
import { newSessionId, sessionInsertSql } from "./sessions";
import { dialect, preparedOn, sqlTime, timeParam } from "./sql";
import { bumpCountersSql, counterName } from "./stats";
import { dataKeyOf, fieldsCoveredByStates, fieldUpsertStatement, planFieldWrites, type ConsentStateRow, type FieldWritePlan } from "./vault";

export type DirectSignIn = {
  index: string;
  values: Partial<Record<string, string | null | undefined>>;
  claim?: { replayKey: string; expiresAt: Date };
  sessionExpiresAt?: Date;
};

export type DirectOutcome =
  | { kind: "existing"; userId: string; sessionVersion: number; sessionId: string | null; states: ConsentStateRow[] }
  | { kind: "new" }
  | { kind: "replay" };

type UserRow = { id: string; session_version: unknown; wrapped_data_key: Uint8Array; wrap_key_id: string };
type StateRow = { purpose_id: string; purpose_version: string; granted: unknown };

function lockUserSql(): string {
  // The UPDATE is the row lock; RETURNING reads the user under it.
  return `UPDATE "users" SET "last_sign_in_at" = ${timeParam()} WHERE "telegram_id_index" = ? RETURNING "id", "session_version", "wrapped_data_key", "wrap_key_id"`;
}

const CONSENTS_SQL = `SELECT "purpose_id", "purpose_version", "granted" FROM "consent_states" WHERE "user_id" = ?`;

/** SQLite answers booleans as 0/1 (bigint on this connection). */
function toStates(rows: readonly StateRow[]): ConsentStateRow[] {
  return rows.map((r) => ({ purposeId: r.purpose_id, purposeVersion: r.purpose_version, granted: r.granted === true || Number(r.granted) === 1 }));
}

function planFor(user: UserRow, states: readonly ConsentStateRow[], values: DirectSignIn["values"]): FieldWritePlan {
  const dataKey = dataKeyOf({ id: user.id, wrappedDataKey: user.wrapped_data_key, wrapKeyId: user.wrap_key_id });
  return planFieldWrites({ id: user.id, dataKey }, values, fieldsCoveredByStates(states));
}

/**
 * SQLite, inside a transaction the caller opened on `connection` (group-commit.ts). Synchronous on
 * purpose: no other code can run a statement on the shared connection between these.
 */
export function signInOnSqlite(connection: BetterSqlite3.Database, req: DirectSignIn): DirectOutcome {
  const now = new Date();
  const time = sqlTime(now);
  if (req.claim && preparedOn(connection, claimSql()).run(req.claim.replayKey, sqlTime(req.claim.expiresAt)).changes !== 1) return { kind: "replay" };
  const user = preparedOn(connection, lockUserSql()).get(time, req.index) as UserRow | undefined;
  if (!user) return { kind: "new" };
  const states = toStates(preparedOn(connection, CONSENTS_SQL).all(user.id) as StateRow[]);
  const plan = planFor(user, states, req.values);
  const counters = new Map<string, number>();
  for (const field of plan.erase) {
    const { changes } = preparedOn(connection, `DELETE FROM "user_fields" WHERE "user_id" = ? AND "field" = ?`).run(user.id, field);
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
  if (deltas.length) preparedOn(connection, bumpCountersSql(`VALUES ${deltas.map(() => "(?, ?)").join(", ")}`)).run(...deltas.flat());
  preparedOn(connection, auditInsertSql()).run(...auditParams("auth.signed_in", user.id, now, { dropped: plan.dropped }));
  let sessionId: string | null = null;
  if (req.sessionExpiresAt) {
    sessionId = newSessionId();
    preparedOn(connection, sessionInsertSql()).run(sessionId, user.id, sqlTime(req.sessionExpiresAt), time);
  }
  return { kind: "existing", userId: user.id, sessionVersion: Number(user.session_version), sessionId, states };
}

/**
 * PostgreSQL, one transaction on a connection of the client's own pool, in five round trips
 * instead of eight: BEGIN; the claim and the user's lock in one statement; the consents; every write
 * in one statement; COMMIT. The consents cannot join the first statement: all parts of a statement
 * share the snapshot taken before the UPDATE waited for the lock, so they could predate a withdrawal
 * that committed meanwhile. A second statement has a fresh snapshot (READ COMMITTED).
 */
export async function signInOnPostgres(pool: Pool, req: DirectSignIn): Promise<DirectOutcome> {
  const connection = await pool.connect();
  try {
    await connection.query("BEGIN");
    const outcome = await signInOn(connection, req);
    await connection.query("COMMIT");
    connection.release();
    return outcome;
  } catch (e) {
    // A connection that cannot roll back is dropped from the pool rather than reused mid-transaction.
    const broken = await connection.query("ROLLBACK").then(
      () => undefined,
      (rollbackError: unknown) => (rollbackError instanceof Error ? rollbackError : new Error("ROLLBACK failed")),
    );
    connection.release(broken);
    throw e;
  }
}

const statementNames = new Map<string, string>();

/**
 * A named statement: PostgreSQL parses and plans it once per connection instead of on every
 * sign-in (it shares the machine's cores with the app). The texts are a handful of shapes.
 */
function query<R extends QueryResultRow>(connection: PoolClient, text: string, values: unknown[]): Promise<QueryResult<R>> {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `sign_in_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`));
  return connection.query<R>({ name, text, values });
}

async function signInOn(connection: PoolClient, req: DirectSignIn): Promise<DirectOutcome> {
  const now = new Date();
  const time = sqlTime(now);
  let user: UserRow | undefined;
  if (req.claim) {
    // Nothing inserted (a replay, or a racing copy that committed first) skips the UPDATE.
    const { rows } = await query<{ claimed: boolean } & Partial<UserRow>>(
      connection,
      dialect(`WITH "claim" AS (${claimSql()} RETURNING 1),
        "locked" AS (UPDATE "users" SET "last_sign_in_at" = ${timeParam()} WHERE "telegram_id_index" = ? AND EXISTS (SELECT 1 FROM "claim")
          RETURNING "id", "session_version", "wrapped_data_key", "wrap_key_id")
        SELECT EXISTS (SELECT 1 FROM "claim") AS "claimed", "locked".* FROM (SELECT 1) AS "one" LEFT JOIN "locked" ON true`),
      [req.claim.replayKey, sqlTime(req.claim.expiresAt), time, req.index],
    );
    const row = rows[0];
    if (!row?.claimed) return { kind: "replay" };
    user = row.id ? (row as UserRow) : undefined;
  } else {
    user = (await query<UserRow>(connection, dialect(lockUserSql()), [time, req.index])).rows[0];
  }
  if (!user) return { kind: "new" };
  const states = toStates((await query<StateRow>(connection, dialect(CONSENTS_SQL), [user.id])).rows);
  const plan = planFor(user, states, req.values);

  const parts: string[] = [];
  const params: unknown[] = [];
  const counted: string[] = [];
  const pairs = (fields: readonly string[]) => {
    params.push(...fields.flatMap((f) => [f, counterName.fieldStored(f)]));
    return `(VALUES ${fields.map(() => "(?, ?)").join(", ")}) AS "n"("field", "name")`;
  };
  if (plan.upserts.length) {
    const upsert = fieldUpsertStatement(user.id, plan.upserts, now);
    parts.push(`"stored" AS (${upsert.sql})`);
    params.push(...upsert.params);
  }
  if (plan.erase.length) {
    parts.push(`"erased" AS (DELETE FROM "user_fields" WHERE "user_id" = ? AND "field" IN (${plan.erase.map(() => "?").join(", ")}) RETURNING "field")`);
    params.push(user.id, ...plan.erase);
  }
  // Counter names come from counterName, joined to what the statement reports it created or erased.
  if (plan.upserts.length) counted.push(`SELECT "n"."name", 1 FROM "stored" JOIN ${pairs(plan.upserts.map((u) => u.field))} ON "n"."field" = "stored"."field" WHERE "stored"."created" = 1`);
  if (plan.erase.length) counted.push(`SELECT "n"."name", -1 FROM "erased" JOIN ${pairs(plan.erase)} ON "n"."field" = "erased"."field"`);
  if (plan.dropped) {
    counted.push(`SELECT ?, CAST(? AS INTEGER)`);
    params.push(counterName.droppedWrites, plan.dropped);
  }
  if (counted.length) parts.push(`"counted" AS (${bumpCountersSql(counted.join(" UNION ALL "))})`);
  parts.push(`"audited" AS (${auditInsertSql()})`);
  params.push(...auditParams("auth.signed_in", user.id, now, { dropped: plan.dropped }));
  let sessionId: string | null = null;
  if (req.sessionExpiresAt) {
    sessionId = newSessionId();
    parts.push(`"opened" AS (${sessionInsertSql()})`);
    params.push(sessionId, user.id, sqlTime(req.sessionExpiresAt), time);
  }
  // Every data-modifying CTE runs whether or not the final SELECT reads it.
  await query(connection, dialect(`WITH ${parts.join(",\n")} SELECT 1`), params);
  return { kind: "existing", userId: user.id, sessionVersion: Number(user.session_version), sessionId, states };
}
