// `npm run seed -- --users N [--seed S] [--batch B] [--tag WORD]`: adds N synthetic people with
// realistic consent histories over the past year, in batches of B per transaction. Values are
// synthetic but stored exactly like real ones (encrypted, blind-indexed); every value contains
// WORD (default "synthetic") so tests can prove the report never shows one. Prints counts only.
import { catalogue } from "../lib/catalogue";
import { disconnect } from "../lib/db";
import { insertSyntheticPeople, type SyntheticDecision, type SyntheticPerson } from "../lib/data/seed";
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
const batchSize = positive("batch", 2000);
const tag = arg("tag", "synthetic")!;
if (!/^[a-z0-9]{3,20}$/i.test(tag)) {
  console.error("--tag must be 3 to 20 letters or digits");
  process.exit(2);
}
// A small deterministic PRNG (mulberry32): the same --seed gives the same histories.
let state = positive("seed", Math.floor(Math.random() * 2 ** 31)) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

const DAY = 86_400_000;
const now = Date.now();
// How often people say yes on the consent page, per optional purpose (the account is required).
const GRANT_RATE: Record<string, number> = { display_name: 0.62, username: 0.41, profile_photo: 0.33, phone_contact: 0.14 };
const FIRST = ["Ada", "Bo", "Chen", "Dara", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jae", "Kofi", "Lena", "Mira", "Nils", "Oona", "Pavel"];
const LAST = ["Aalto", "Brandt", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat", "Ito", "Jansen", "Kowal", "Lindqvist"];
// Telegram ids of synthetic people: a random 2^20-wide block above 2^51, so they never meet real ids
// (Telegram's are far smaller) and two seed runs almost never overlap.
const idBase = 2n ** 51n + BigInt(Math.floor(random() * 2 ** 31)) * 2n ** 20n;
if (total > 2 ** 20) {
  console.error("--users is limited to 1048576 per run (the synthetic id block); run the seed again for more");
  process.exit(2);
}

function person(i: number): SyntheticPerson {
  const telegramId = idBase + BigInt(i);
  // Sign-ups spread over the past year, more of them recently (the site is growing).
  const createdAt = new Date(now - Math.floor(365 * DAY * random() ** 1.6));
  const span = now - createdAt.getTime();
  // A quarter never come back; the rest last signed in somewhere since sign-up, mostly recently.
  const lastSignInAt = random() < 0.25 ? createdAt : new Date(now - Math.floor(span * random() ** 2));
  const method = (): SyntheticDecision["method"] => (random() < 0.9 ? "page" : "api");
  const decisions: SyntheticDecision[] = catalogue().map((p) => ({ at: createdAt, purposeId: p.id, granted: p.required || random() < (GRANT_RATE[p.id] ?? 0.3), method: method() }));
  // Some people change their mind once or twice between sign-up and their last visit.
  const granted = new Map(decisions.map((d) => [d.purposeId, d.granted]));
  let t = createdAt.getTime();
  for (let changes = random() < 0.18 ? (random() < 0.3 ? 2 : 1) : 0; changes > 0; changes--) {
    const optional = catalogue().filter((p) => !p.required);
    const p = pick(optional);
    t += Math.floor((lastSignInAt.getTime() - t) * random());
    granted.set(p.id, !granted.get(p.id));
    decisions.push({ at: new Date(t), purposeId: p.id, granted: granted.get(p.id)!, method: method() });
  }
  const values: SyntheticPerson["values"] = {
    first_name: `${pick(FIRST)}-${tag}${i}`,
    ...(random() < 0.7 ? { last_name: `${pick(LAST)}-${tag}${i}` } : {}),
    ...(random() < 0.8 ? { username: `${tag}_user_${i}` } : {}),
    ...(random() < 0.75 ? { photo_url: `https://t.me/i/userpic/320/${tag}${i}.jpg` } : {}),
    ...(random() < 0.85 ? { phone_number: `+1555${String(i).padStart(7, "0")}` } : {}),
  };
  // About 2% later deleted their account.
  const erasedAt = random() < 0.02 ? new Date(lastSignInAt.getTime() + Math.floor((now - lastSignInAt.getTime()) * random())) : undefined;
  return { telegramId, createdAt, lastSignInAt, decisions, values, ...(erasedAt ? { erasedAt } : {}) };
}

const bar = progressBar("seed");
const totals = { users: 0, erased: 0, fields: 0, ledgerRecords: 0 };
const started = Date.now();
for (let done = 0; done < total; ) {
  const n = Math.min(batchSize, total - done);
  const r = await insertSyntheticPeople(Array.from({ length: n }, (_, k) => person(done + k)));
  for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
  done += n;
  bar.update(done, total);
}
bar.done();
await disconnect();
console.log(
  `seeded ${total} people in ${((Date.now() - started) / 1000).toFixed(1)}s: ${totals.users} accounts, ${totals.erased} erased, ${totals.fields} stored values, ${totals.ledgerRecords} ledger records`,
);
