// `npm run seed -- --users N [--seed S] [--batch B] [--tag WORD]`: adds N synthetic people with
// realistic consent histories over the past year, in batches of B per transaction. Values are
// synthetic but stored exactly like real ones (encrypted, blind-indexed); every value contains
// WORD (default "synthetic") so tests can prove the report never shows one. Prints counts only.
// The people come from lib/data/seed.ts, which the demo's "Add 500 synthetic people" button runs too.
import { closeDatabase } from "../lib/data/connection";
import { MAX_SEED_USERS, seedSyntheticPeople } from "../lib/data/seed";
import { progressBar } from "./progress";

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function positive(name: string, fallback?: number): number {
  const raw = arg(name, fallback?.toString());
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive whole number (usage: npm run seed -- --users 10000)`);
    process.exit(2);
  }
  return n;
}

const total = positive("users");
const batch = positive("batch", 2000);
const tag = arg("tag", "synthetic")!;
if (!/^[a-z0-9]{3,20}$/i.test(tag)) {
  console.error("--tag must be 3 to 20 letters or digits");
  process.exit(2);
}
const seed = positive("seed", 1 + Math.floor(Math.random() * (2 ** 31 - 1)));
if (total > MAX_SEED_USERS) {
  console.error(
    `--users is limited to ${MAX_SEED_USERS} per run (the synthetic id block); run the seed again for more`,
  );
  process.exit(2);
}

const bar = progressBar("seed");
const started = Date.now();
const totals = await seedSyntheticPeople({
  users: total,
  batch,
  seed,
  tag,
  onProgress: (done, all) => bar.update(done, all),
});
bar.done();
await closeDatabase();
console.log(
  `seeded ${total} people in ${((Date.now() - started) / 1000).toFixed(1)}s: ${totals.users} accounts, ${totals.erased} erased, ${totals.fields} stored values, ${totals.ledgerRecords} ledger records`,
);
