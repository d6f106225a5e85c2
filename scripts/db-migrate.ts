// `npm run db:migrate`: applies pending migrations of the configured database (the app also does
// this on start). Safe to run from several machines at once.
import { env } from "../lib/env";
import { migrate } from "../lib/migrate";

const { databaseKind, databaseUrl } = env();
const applied = await migrate(databaseKind, databaseUrl);
console.log(
  applied.length
    ? `applied ${applied.length} migration(s): ${applied.join(", ")}`
    : `${databaseKind} database is up to date`,
);
