import "server-only";
// The SQL text that stores a user's planned field values (lib/data/vault.ts plans them). It builds
// text only: it runs under the user's row lock, either through the lock's proof
// (LockedUser.upsertFields, lib/data/locks.ts) or in the sign-in's own locked statement
// (lib/data/sign-in/direct.ts); lib/data/locks.test.ts fails on any other caller.
import type { FieldId } from "../domain/fields";
import { sqlTime, timeParam } from "./sql";

export type FieldUpsert = { field: FieldId; ciphertext: Buffer; index: string | null };

/**
 * The one statement that stores planned values (`?` placeholders), returning each field and whether
 * this statement created its row (1/true), for the stored-field counters. With `onlyIf` (PostgreSQL
 * only: a CTE's name), the rows are written only when that CTE returned a row: the sign-in's guarded
 * write, lib/data/sign-in/direct.ts. Its values are cast because a VALUES list in a SELECT does not
 * take its types from the target columns.
 */
export function fieldUpsertStatement(
  userId: string,
  upserts: readonly FieldUpsert[],
  now: Date,
  onlyIf?: string,
): { sql: string; params: unknown[] } {
  const time = sqlTime(now);
  const params: unknown[] = [];
  for (const u of upserts) params.push(userId, u.field, u.ciphertext, u.index, time, time);
  params.push(time);
  const rows = onlyIf
    ? `SELECT "v".* FROM "${onlyIf}" CROSS JOIN (VALUES ${upserts.map(() => `(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BYTEA), CAST(? AS TEXT), ${timeParam()}, ${timeParam()})`).join(", ")}) AS "v"`
    : `VALUES ${upserts.map(() => `(?, ?, ?, ?, ${timeParam()}, ${timeParam()})`).join(", ")}`;
  // stored_at is set only on insert: equal to `now` means this statement created the row.
  const sql = `INSERT INTO "user_fields" ("user_id", "field", "ciphertext", "blind_index", "stored_at", "updated_at")
       ${rows}
       ON CONFLICT ("user_id", "field") DO UPDATE SET "ciphertext" = excluded."ciphertext", "blind_index" = excluded."blind_index", "updated_at" = excluded."updated_at"
       RETURNING "field", CASE WHEN "stored_at" = ${timeParam()} THEN 1 ELSE 0 END AS "created"`;
  return { sql, params };
}
