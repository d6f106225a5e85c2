import "server-only";
import { db } from "../db";
import { env } from "../env";

export async function checkHealth(): Promise<{ ok: boolean; databaseKind: string }> {
  try {
    const client = await db();
    await client.ledgerHead.findUnique({ where: { id: 1 } });
    return { ok: true, databaseKind: env().databaseKind };
  } catch {
    return { ok: false, databaseKind: env().databaseKind };
  }
}
