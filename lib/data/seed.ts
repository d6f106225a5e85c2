import "server-only";
// Synthetic people for load tests and demos (`npm run seed`). Each batch is written in one
// transaction exactly as the app would have left it: values encrypted under each user's own data
// key, consent states, ledger records through appendToLedger (so the hash chain verifies), and the
// counters and daily stats the report reads. Audit events are not generated: they only describe
// sign-ins, and nothing the report counts comes from them.
import { randomUUID } from "node:crypto";
import { catalogue, purposeById } from "../domain/catalogue";
import { encrypt, toBytes } from "../crypto/fields";
import { db } from "./db";
import { env } from "../core/env";
import { FIELDS, type FieldId } from "../domain/fields";
import { versionOf } from "../domain/purposes";
import { executeSql, insertMany, queryRows, toCount } from "./sql";
import { appendToLedger, type LedgerEntry, type Method } from "./ledger";
import { bumpCounter, bumpDailyMany, counterName, utcDay, type DailyDelta } from "./stats";
import { fieldAad, lookupIndex, newWrappedDataKey, telegramIdIndex } from "./vault";

export type SyntheticDecision = {
  at: Date;
  purposeId: string;
  granted: boolean;
  method: Extract<Method, "page" | "api">;
};

export type SyntheticPerson = {
  telegramId: bigint;
  createdAt: Date;
  lastSignInAt: Date;
  /** In time order; the first decision on each purpose is the consent page at sign-up. */
  decisions: SyntheticDecision[];
  /** What Telegram sent at the last sign-in; stored only where a granted purpose covers it. */
  values: Partial<Record<FieldId, string>>;
  /** Set for a person who later deleted their account: only the count and the ledger remain. */
  erasedAt?: Date;
};

export type SeedBatchResult = { users: number; erased: number; fields: number; ledgerRecords: number };

// Counts every synthetic person ever added (accounts and erasures alike), so the admin report's
// page can say how much of what it shows is synthetic. Real sign-ups never touch it.
export const SYNTHETIC_PEOPLE_COUNTER = "synthetic_people";

/** Writes one batch of synthetic people in one transaction. */
export async function insertSyntheticPeople(people: readonly SyntheticPerson[]): Promise<SeedBatchResult> {
  const users: {
    id: string;
    telegramIdIndex: string;
    wrappedDataKey: Uint8Array<ArrayBuffer>;
    wrapKeyId: string;
    createdAt: Date;
    lastSignInAt: Date;
  }[] = [];
  const states: { userId: string; purposeId: string; granted: boolean; purposeVersion: string; decidedAt: Date }[] = [];
  const fields: {
    userId: string;
    field: string;
    ciphertext: Uint8Array<ArrayBuffer>;
    blindIndex: string | null;
    storedAt: Date;
    updatedAt: Date;
  }[] = [];
  const ledger: LedgerEntry[] = [];
  const counters = new Map<string, number>();
  const daily = new Map<string, DailyDelta>();
  const count = (name: string, d = 1) => counters.set(name, (counters.get(name) ?? 0) + d);
  const bumpDay = (at: Date, metric: DailyDelta["metric"], key: string) => {
    const day = utcDay(at);
    const k = `${day}|${metric}|${key}`;
    const row = daily.get(k) ?? { day, metric, key, value: 0 };
    row.value += 1;
    daily.set(k, row);
  };
  let erased = 0;
  count(SYNTHETIC_PEOPLE_COUNTER, people.length);

  for (const person of people) {
    const userId = randomUUID();
    // The same bookkeeping as applyDecisions: a ledger record for every change, the daily chart
    // for grants and for withdrawals of an earlier grant.
    const current = new Map<string, { granted: boolean; at: Date; grantedSince: Date | null }>();
    for (const d of person.decisions) {
      const purpose = purposeById(d.purposeId)!;
      const before = current.get(d.purposeId);
      if (before && before.granted === d.granted) continue;
      const wasGranted = before?.granted ?? false;
      current.set(d.purposeId, { granted: d.granted, at: d.at, grantedSince: d.granted ? d.at : null });
      if (d.granted || wasGranted) bumpDay(d.at, d.granted ? "granted" : "withdrawn", d.purposeId);
      ledger.push({
        subjectId: userId,
        purposeId: d.purposeId,
        // Synthetic people decide in English, the default language of the consent_states rows below.
        purposeVersion: versionOf(purpose, "en")!.version,
        textHash: versionOf(purpose, "en")!.textHash,
        locale: "en",
        fields: purpose.fields,
        decision: d.granted ? "granted" : wasGranted ? "withdrawn" : "declined",
        method: d.method,
        at: d.at,
      });
    }
    if (person.erasedAt) {
      // What eraseUserIn leaves behind: withdrawals in the ledger and the chart, and a count.
      for (const [purposeId, s] of current) {
        if (!s.granted) continue;
        const purpose = purposeById(purposeId)!;
        ledger.push({
          subjectId: userId,
          purposeId,
          purposeVersion: versionOf(purpose, "en")!.version,
          textHash: versionOf(purpose, "en")!.textHash,
          locale: "en",
          fields: purpose.fields,
          decision: "withdrawn",
          method: "erasure",
          at: person.erasedAt,
        });
        bumpDay(person.erasedAt, "withdrawn", purposeId);
      }
      bumpDay(person.erasedAt, "erased", "erasure");
      count(counterName.erasures);
      erased += 1;
      continue;
    }

    const key = newWrappedDataKey(userId);
    users.push({
      id: userId,
      telegramIdIndex: telegramIdIndex(person.telegramId),
      wrappedDataKey: key.wrapped,
      wrapKeyId: key.keyId,
      createdAt: person.createdAt,
      lastSignInAt: person.lastSignInAt,
    });
    count(counterName.users);
    for (const [purposeId, s] of current) {
      states.push({
        userId,
        purposeId,
        granted: s.granted,
        purposeVersion: versionOf(purposeById(purposeId)!, "en")!.version,
        decidedAt: s.at,
      });
      if (s.granted) count(counterName.purposeActive(purposeId));
    }
    const values: Partial<Record<FieldId, string>> = { ...person.values, telegram_id: person.telegramId.toString() };
    const written = new Set<FieldId>();
    for (const purpose of catalogue()) {
      const s = current.get(purpose.id);
      // As the storage gate: a one-time purpose (phone verification) keeps the outcome, not the value.
      if (!s?.granted || purpose.oneTime) continue;
      for (const field of purpose.fields) {
        const value = values[field];
        if (!value || written.has(field)) continue;
        written.add(field);
        fields.push({
          userId,
          field,
          ciphertext: toBytes(encrypt(key.dataKey, value, fieldAad(userId, field))),
          blindIndex: FIELDS[field].lookup ? lookupIndex(field, value) : null,
          storedAt: s.grantedSince ?? person.createdAt,
          // Every sign-in refreshes the covered values, so they are as old as the last sign-in.
          updatedAt: person.lastSignInAt,
        });
        count(counterName.fieldStored(field));
      }
    }
  }

  ledger.sort((a, b) => a.at.getTime() - b.at.getTime());
  const client = await db();
  await client.$transaction(
    async (tx) => {
      await insertMany(
        tx,
        "users",
        [
          "id",
          "telegram_id_index",
          "wrapped_data_key",
          "wrap_key_id",
          "session_version",
          "created_at",
          "last_sign_in_at",
        ],
        users.map((u) => [u.id, u.telegramIdIndex, u.wrappedDataKey, u.wrapKeyId, 1, u.createdAt, u.lastSignInAt]),
      );
      await insertMany(
        tx,
        "consent_states",
        ["user_id", "purpose_id", "granted", "purpose_version", "decided_at"],
        states.map((c) => [c.userId, c.purposeId, c.granted, c.purposeVersion, c.decidedAt]),
      );
      await insertMany(
        tx,
        "user_fields",
        ["user_id", "field", "ciphertext", "blind_index", "stored_at", "updated_at"],
        fields.map((f) => [f.userId, f.field, f.ciphertext, f.blindIndex, f.storedAt, f.updatedAt]),
      );
      await appendToLedger(tx, ledger);
      for (const [name, delta] of counters) await bumpCounter(tx, name, delta);
      await bumpDailyMany(tx, [...daily.values()]);
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
  return { users: users.length, erased, fields: fields.length, ledgerRecords: ledger.length };
}

/** How many synthetic people have been added to this database (by `npm run seed` or the demo). */
export async function countSyntheticPeople(): Promise<number> {
  const client = await db();
  const row = await client.counter.findUnique({ where: { name: SYNTHETIC_PEOPLE_COUNTER } });
  return row?.value ?? 0;
}

export type SeedOptions = {
  users: number;
  /** People per transaction. */
  batch?: number;
  /** The same seed gives the same histories (and the same ids: never twice on one database). */
  seed?: number;
  /** A word every synthetic value contains, so tests can prove the report never shows one. */
  tag?: string;
  onProgress?: (done: number, total: number) => void;
};

// Telegram ids of synthetic people come from a 2^20-wide block above 2^51 (see syntheticPeople).
export const MAX_SEED_USERS = 2 ** 20;
const DAY = 86_400_000;
// How often people say yes on the consent page, per optional purpose (the account is required).
const GRANT_RATE: Record<string, number> = {
  display_name: 0.62,
  username: 0.41,
  profile_photo: 0.33,
  phone_contact: 0.14,
};
const FIRST = [
  "Ada",
  "Bo",
  "Chen",
  "Dara",
  "Emil",
  "Farah",
  "Goran",
  "Hana",
  "Ivo",
  "Jae",
  "Kofi",
  "Lena",
  "Mira",
  "Nils",
  "Oona",
  "Pavel",
];
const LAST = [
  "Aalto",
  "Brandt",
  "Costa",
  "Dubois",
  "Eriksen",
  "Fischer",
  "Garcia",
  "Horvat",
  "Ito",
  "Jansen",
  "Kowal",
  "Lindqvist",
];

/**
 * Realistic synthetic people over the past year: person(i) for i below the run's size. Values are
 * synthetic but stored exactly like real ones; every value contains `tag`.
 */
export function syntheticPeople(seed: number, tag: string, now = Date.now()): (i: number) => SyntheticPerson {
  // A small deterministic PRNG (mulberry32): the same seed gives the same histories.
  let state = seed >>> 0;
  function random(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  // A random 2^20-wide block above 2^51, so synthetic ids never meet real ones (Telegram's are far
  // smaller) and two seed runs almost never overlap.
  const idBase = 2n ** 51n + BigInt(Math.floor(random() * 2 ** 31)) * 2n ** 20n;
  const startOfToday = now - (now % DAY);

  return function person(i: number): SyntheticPerson {
    const telegramId = idBase + BigInt(i);
    // Sign-ups spread over the past year, more of them recently (the site is growing).
    const createdAt = new Date(now - Math.floor(365 * DAY * random() ** 1.6));
    const span = now - createdAt.getTime();
    // A quarter never come back; the rest last signed in somewhere since sign-up, mostly recently.
    const lastSignInAt = random() < 0.25 ? createdAt : new Date(now - Math.floor(span * random() ** 2));
    const method = (): SyntheticDecision["method"] => (random() < 0.9 ? "page" : "api");
    const decisions: SyntheticDecision[] = catalogue().map((p) => ({
      at: createdAt,
      purposeId: p.id,
      granted: p.required || random() < (GRANT_RATE[p.id] ?? 0.3),
      method: method(),
    }));
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
    // About 2% later deleted their account, before today: the report publishes only closed days, so
    // an erasure dated today would be missing from it until tomorrow, and the demo's filler, which
    // says what the report now shows for the people it added, would read false beside it. Someone
    // last seen today therefore keeps their account.
    const erasable = startOfToday - lastSignInAt.getTime();
    const erasedAt =
      random() < 0.02 && erasable > 0 ? new Date(lastSignInAt.getTime() + Math.floor(erasable * random())) : undefined;
    return { telegramId, createdAt, lastSignInAt, decisions, values, ...(erasedAt ? { erasedAt } : {}) };
  };
}

/** `npm run seed` and the demo's report filler: adds `users` synthetic people, one transaction per batch. */
export async function seedSyntheticPeople(opts: SeedOptions): Promise<SeedBatchResult> {
  const { users: total, batch = 2000, tag = "synthetic" } = opts;
  if (!Number.isInteger(total) || total <= 0 || total > MAX_SEED_USERS)
    throw new RangeError(`users must be 1 to ${MAX_SEED_USERS}`);
  const person = syntheticPeople(opts.seed ?? Math.floor(Math.random() * 2 ** 31), tag);
  const totals: SeedBatchResult = { users: 0, erased: 0, fields: 0, ledgerRecords: 0 };
  for (let done = 0; done < total;) {
    const n = Math.min(batch, total - done);
    const r = await insertSyntheticPeople(Array.from({ length: n }, (_, k) => person(done + k)));
    for (const k of Object.keys(totals) as (keyof SeedBatchResult)[]) totals[k] += r[k];
    done += n;
    opts.onProgress?.(done, total);
  }
  return totals;
}

// People per copying transaction: big enough that a million users take a dozen statements per
// table, small enough that one transaction's WAL (SQLite) stays a few hundred megabytes.
const COPY_CHUNK_PEOPLE = 100_000;

/**
 * Grows a seeded database for benchmarks by copying its original people `copies` times in SQL
 * (INSERT ... SELECT), seconds per 100k people where the seeder's per-person encryption and ledger
 * hashing take minutes. A copy gets new ids (the original's plus "_k": still a user id the erasure
 * journal accepts, lib/data/erasure-journal.ts, so that a benchmark can erase one), the same consent states,
 * timestamps and ciphertexts (bound to the original id, so unreadable, which no benchmark needs)
 * and is counted in the counters. The ledger is not copied: its hash chain is per record, and
 * neither the report nor an erasure reads it. For benchmarks only: never on a real database.
 *
 * Each statement joins the originals with a run of copy numbers and inserts in key order (every
 * original's copies next to each other), so the primary keys and most indexes grow at adjacent
 * pages instead of random ones; copying a million people is then linear, not a re-scan per copy.
 */
export async function copySyntheticPeople(copies: number, firstCopy = 1): Promise<{ users: number }> {
  const client = await db();
  const sqlite = env().databaseKind === "sqlite";
  // "_" is LIKE's any-character: escaped, it is the copy mark itself (no original id has one).
  const original = `NOT LIKE '%!_%' ESCAPE '!'`;
  const [o] = await queryRows<{ n: unknown }>(client, `SELECT COUNT(*) AS n FROM users WHERE id ${original}`);
  const originals = toCount(o?.n);
  if (originals === 0 || copies <= 0) return { users: 0 };
  const perChunk = Math.max(1, Math.floor(COPY_CHUNK_PEOPLE / originals));
  // SQLite's default page cache (2 MiB) makes every index insert beyond it a read from the OS;
  // this connection gets a larger one while copying, and its old size back afterwards.
  const [cache] = sqlite ? await queryRows<{ cache_size: unknown }>(client, "PRAGMA cache_size") : [];
  if (sqlite) await client.$queryRawUnsafe("PRAGMA cache_size = -524288");
  let users = 0;
  try {
    for (let k = firstCopy; k < firstCopy + copies; k += perChunk) {
      const last = Math.min(firstCopy + copies, k + perChunk) - 1;
      const numbers = `WITH RECURSIVE copy_no(n) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT n + 1 FROM copy_no WHERE n < CAST(? AS INTEGER))`;
      const suffix = (col: string) => `${col} || '_' || CAST(copy_no.n AS TEXT)`;
      await client.$transaction(
        async (tx) => {
          users += await executeSql(
            tx,
            `${numbers} INSERT INTO users (id, telegram_id_index, wrapped_data_key, wrap_key_id, session_version, created_at, last_sign_in_at)
             SELECT ${suffix("u.id")}, ${suffix("u.telegram_id_index")}, u.wrapped_data_key, u.wrap_key_id, u.session_version, u.created_at, u.last_sign_in_at
             FROM users u CROSS JOIN copy_no WHERE u.id ${original} ORDER BY u.id, copy_no.n`,
            [k, last],
          );
          await executeSql(
            tx,
            `${numbers} INSERT INTO consent_states (user_id, purpose_id, granted, purpose_version, decided_at)
             SELECT ${suffix("c.user_id")}, c.purpose_id, c.granted, c.purpose_version, c.decided_at
             FROM consent_states c CROSS JOIN copy_no WHERE c.user_id ${original} ORDER BY c.user_id, copy_no.n, c.purpose_id`,
            [k, last],
          );
          await executeSql(
            tx,
            `${numbers} INSERT INTO user_fields (user_id, field, ciphertext, blind_index, stored_at, updated_at)
             SELECT ${suffix("f.user_id")}, f.field, f.ciphertext, f.blind_index, f.stored_at, f.updated_at
             FROM user_fields f CROSS JOIN copy_no WHERE f.user_id ${original} ORDER BY f.user_id, copy_no.n, f.field`,
            [k, last],
          );
        },
        { timeout: 600_000, maxWait: 60_000 },
      );
    }
  } finally {
    if (sqlite) await client.$queryRawUnsafe(`PRAGMA cache_size = ${Number(cache?.cache_size ?? -2000)}`);
  }
  // The counters the report shows grow by the originals' share per copy.
  await client.$transaction(async (tx) => {
    await bumpCounter(tx, counterName.users, originals * copies);
    for (const r of await queryRows<{ k: string; n: unknown }>(
      tx,
      `SELECT purpose_id AS k, COUNT(*) AS n FROM consent_states WHERE granted = TRUE AND user_id ${original} GROUP BY purpose_id`,
    )) {
      await bumpCounter(tx, counterName.purposeActive(r.k), toCount(r.n) * copies);
    }
    for (const r of await queryRows<{ k: string; n: unknown }>(
      tx,
      `SELECT field AS k, COUNT(*) AS n FROM user_fields WHERE user_id ${original} GROUP BY field`,
    )) {
      await bumpCounter(tx, counterName.fieldStored(r.k), toCount(r.n) * copies);
    }
  });
  return { users };
}
