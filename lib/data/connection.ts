import "server-only";
// The database's lifecycle for entry points outside lib/data (the server's start, the CLI scripts):
// they open and close it through here, and never hold the client itself (docs/STYLE.md, "One data layer").
import { db, disconnect, withinDatabaseTimeout } from "./db";

export { DatabaseUnavailableError } from "./db";

/**
 * Connects, applies pending migrations and asks the database one question, all within
 * DATABASE_TIMEOUT_SECONDS; throws with the cause (DatabaseUnavailableError naming DATABASE_URL when
 * it cannot be reached or does not answer).
 */
export async function openDatabase(): Promise<void> {
  await withinDatabaseTimeout(
    (async () => {
      const client = await db();
      await client.ledgerHead.findUnique({ where: { id: 1 } });
    })(),
  );
}

/** Ends the connection (a CLI script's last step, so the process can exit). */
export async function closeDatabase(): Promise<void> {
  await disconnect();
}
