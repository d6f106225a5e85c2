// Creates Better Auth's tables (with the plugin's fields) in DATABASE_URL: what `npx @better-auth/cli
// migrate` does, through the same getMigrations it calls. Run by the bench on each fresh database.
import { getMigrations } from "better-auth/db/migration";
import { auth } from "./auth.js";

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
process.exit(0);
