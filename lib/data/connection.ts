import "server-only";
// The database's lifecycle for entry points outside lib/data (the server's start, the CLI scripts):
// they open and close it through here, and never hold the client itself (docs/STYLE.md, "One data layer").
import { db, disconnect } from "../db";

/** Connects and applies pending migrations; throws with the cause if the database cannot be used. */
export async function openDatabase(): Promise<void> {
  await db();
}

/** Ends the connection (a CLI script's last step, so the process can exit). */
export async function closeDatabase(): Promise<void> {
  await disconnect();
}
