import "server-only";
import { db, withinDatabaseTimeout } from "./db";
import { env } from "../core/env";

export async function checkHealth(): Promise<{ ok: boolean; databaseKind: string }> {
  try {
    // Bounded like the start: a database that never answers makes the check fail, not hang.
    await withinDatabaseTimeout(
      (async () => {
        const client = await db();
        await client.ledgerHead.findUnique({ where: { id: 1 } });
      })(),
    );
    return { ok: true, databaseKind: env().databaseKind };
  } catch {
    return { ok: false, databaseKind: env().databaseKind };
  }
}
