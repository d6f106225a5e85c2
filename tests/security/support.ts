// Helpers of the security suite: a fingerprint of everything the app stores (to prove a refused
// request changed nothing), figures collected for the end-of-run summary, sealed cookies made with
// the server's own secret (to forge the cookies only a key holder could), and byte searches.
import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import Database from "better-sqlite3";
import { sealData } from "iron-session";
import pg from "pg";
import type { Client } from "../support/client";
import type { TestApp } from "../support/server";

/** Tables that are not the app's data: migration bookkeeping and the rate limiter's counters. */
const NOT_STATE = new Set(["_app_migrations", "rate_limits", "sqlite_sequence"]);

/** A hash of every row of every app table (order-independent), plus row counts for messages. */
export async function fingerprint(app: Pick<TestApp, "db">): Promise<{ hash: string; counts: Record<string, number> }> {
  const tables: Record<string, unknown[]> = {};
  if (app.db.kind === "sqlite") {
    const db = new Database(app.db.sqliteFile!, { readonly: true, fileMustExist: true });
    try {
      db.pragma("busy_timeout = 10000");
      const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
        .map((r) => r.name)
        .filter((n) => !NOT_STATE.has(n));
      db.exec("BEGIN");
      for (const n of names) tables[n] = db.prepare(`SELECT * FROM "${n}"`).all();
      db.exec("COMMIT");
    } finally {
      db.close();
    }
  } else {
    const client = new pg.Client({ connectionString: app.db.url });
    await client.connect();
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
      const names = (
        await client.query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
      ).rows
        .map((r) => r.table_name as string)
        .filter((n) => !NOT_STATE.has(n));
      for (const n of names) tables[n] = (await client.query(`SELECT * FROM "${n}"`)).rows;
      await client.query("COMMIT");
    } finally {
      await client.end();
    }
  }
  const h = createHash("sha256");
  const counts: Record<string, number> = {};
  for (const name of Object.keys(tables).sort()) {
    const rows = tables[name]!.map((r) =>
      JSON.stringify(r, (_k, v) =>
        typeof v === "bigint"
          ? v.toString()
          : v instanceof Uint8Array || (v && v.type === "Buffer")
            ? Buffer.from(v.data ?? v).toString("hex")
            : v,
      ),
    ).sort();
    counts[name] = rows.length;
    h.update(name).update("\u0000");
    for (const r of rows) h.update(r).update("\u0000");
  }
  return { hash: h.digest("hex"), counts };
}

/** Figures for the summary printed at the end of `npm run test:security`. */
export function recordFigure(name: string, value: number, note = ""): void {
  const dir = resolve(".security-figures");
  mkdirSync(dir, { recursive: true });
  appendFileSync(
    resolve(dir, "figures.jsonl"),
    JSON.stringify({ name, value, note, db: process.env.TEST_DB === "postgres" ? "postgres" : "sqlite" }) + "\n",
  );
}

/** iron-session's password map as lib/web/session-cookie.ts builds it for a single secret. */
export function sealWith(secret: string, data: unknown, ttlSeconds = 3600): Promise<string> {
  return sealData(data as Record<string, unknown>, { password: { "1": secret }, ttl: ttlSeconds });
}

export const SESSION_COOKIE = "__Host-session";
export const PENDING_COOKIE = "__Host-pending";
export const OIDC_COOKIE = "__Host-oidc";

/** A request that follows same-origin redirects (Next sends RSC requests on to a ?_rsc= URL). */
export async function requestFollowing(
  client: Client,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; json?: unknown; body?: string; origin?: string | null } = {},
) {
  let res = await client.request(method, path, opts);
  for (let hop = 0; hop < 3 && res.status >= 300 && res.status < 400; hop++) {
    const location = res.headers.get("location");
    if (!location) break;
    const url = new URL(location, client.origin);
    if (url.origin !== client.origin) break;
    const next = url.pathname + url.search;
    // A redirect to another page (sign-in) ends here: the caller asserts where it points.
    if (url.pathname !== new URL(path, client.origin).pathname) break;
    await res.body?.cancel();
    res = await client.request(method, next, opts);
  }
  return res;
}

/** The encodings a value could take on disk or in a log line. */
export function encodings(value: string): Buffer[] {
  return [
    Buffer.from(value, "utf8"),
    Buffer.from(value, "utf16le"),
    Buffer.from(Buffer.from(value).toString("base64")),
    Buffer.from(Buffer.from(value).toString("base64url")),
    Buffer.from(Buffer.from(value).toString("hex")),
    Buffer.from(encodeURIComponent(value)),
    Buffer.from(JSON.stringify(value).slice(1, -1)),
  ];
}

export function hitsIn(haystack: Buffer, values: string[]): string[] {
  const hits: string[] = [];
  for (const v of values) for (const enc of encodings(v)) if (haystack.includes(enc)) hits.push(v);
  return [...new Set(hits)];
}

export function secretsOf(app: TestApp): { session: string } {
  return { session: app.env.SESSION_SECRET! };
}
