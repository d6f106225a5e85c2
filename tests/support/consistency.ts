// Checks that hold whatever happened before: the counters the admin report reads equal a full
// recount of the tables they summarise.
import { FIELD_IDS } from "../../lib/domain/fields";
import { query } from "./inspect";
import type { TestApp } from "./server";

/** Every counter that disagrees with a recount, as "name: counter != recount"; empty when all agree. */
export async function counterMismatches(app: Pick<TestApp, "db">): Promise<string[]> {
  const counters = new Map(
    (await query<{ name: string; value: number | string }>(app, `SELECT name, value FROM counters`)).map((r) => [
      r.name,
      Number(r.value),
    ]),
  );
  const expected = new Map<string, number>();
  for (const f of FIELD_IDS) expected.set(`field_stored:${f}`, 0);
  for (const r of await query<{ field: string; n: number | string }>(
    app,
    `SELECT field, COUNT(*) AS n FROM user_fields GROUP BY field`,
  ))
    expected.set(`field_stored:${r.field}`, Number(r.n));
  for (const r of await query<{ purpose_id: string; n: number | string }>(
    app,
    `SELECT purpose_id, COUNT(*) AS n FROM consent_states WHERE granted = true GROUP BY purpose_id`,
  ))
    expected.set(`purpose_active:${r.purpose_id}`, Number(r.n));
  for (const name of counters.keys())
    if (name.startsWith("purpose_active:") && !expected.has(name)) expected.set(name, 0);
  expected.set("users", Number((await query<{ n: number | string }>(app, `SELECT COUNT(*) AS n FROM users`))[0]!.n));
  const problems: string[] = [];
  for (const [name, n] of expected) {
    const value = counters.get(name) ?? 0;
    if (value !== n) problems.push(`${name}: counter ${value} != recount ${n}`);
  }
  return problems;
}

export type StoredState = { user: boolean; fields: string[]; consents: string[] };

/** What the database holds about one user id: the row, its field names and its decided purposes. */
export async function storedState(app: Pick<TestApp, "db">, userId: string): Promise<StoredState> {
  const user = (await query(app, `SELECT id FROM users WHERE id = $1`, [userId])).length === 1;
  const fields = (
    await query<{ field: string }>(app, `SELECT field FROM user_fields WHERE user_id = $1 ORDER BY field`, [userId])
  ).map((r) => r.field);
  const consents = (
    await query<{ purpose_id: string; granted: number | boolean }>(
      app,
      `SELECT purpose_id, granted FROM consent_states WHERE user_id = $1 ORDER BY purpose_id`,
      [userId],
    )
  ).map((r) => `${r.purpose_id}=${Boolean(r.granted)}`);
  return { user, fields, consents };
}

/** The same secrets, so a restarted server can read what the previous one wrote. */
export function secretsOf(env: Record<string, string>): Record<string, string> {
  const keys = [
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_BOT_USERNAME",
    "SESSION_SECRET",
    "FIELD_ENCRYPTION_KEY",
    "BLIND_INDEX_KEY",
  ];
  return Object.fromEntries(keys.map((k) => [k, env[k]!]));
}
