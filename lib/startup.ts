import "server-only";
import { catalogue } from "./catalogue";
import { db } from "./db";
import { env } from "./env";
import { log } from "./log";

export async function startServer(): Promise<void> {
  try {
    const e = env();
    catalogue();
    await db();
    log().info({ event: "server.started", database: e.databaseKind, demo: e.demo, purposes: catalogue().length }, "server started");
  } catch (e) {
    // The message names the variable or entry at fault and never contains a secret.
    console.error(`\nThe app cannot start:\n${(e as Error).message}\n`);
    process.exit(1);
  }
}
