// Canary scan of a full journey: people with unusual canary values go through every path that
// touches their data (first sign-in, consent, refreshes, pages in every request variant, export,
// receipt, narrowing and widening, refused and replayed payloads, foreign origins, logout,
// logout everywhere, erasure by API and by the page's form), behind a canary client address. Then
// the raw database (SQLite files with -wal, or a PostgreSQL dump including the rate-limit table),
// every app log, and the PostgreSQL server's own log are searched byte for byte, in the encodings
// a value could take. Zero hits.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client, EVERYTHING, signedPayload, type Profile } from "../support/client";
import { rawDatabaseBytes } from "../support/inspect";
import { startApp, type TestApp } from "../support/server";
import { PAGES, pageVariants } from "./routes";
import { hitsIn, recordFigure, requestFollowing } from "./support";

let app: TestApp;
let pgLog: { file: string; from: number } | null = null;

const canaries: (Profile & { address: string })[] = Array.from({ length: 3 }, (_, i) => ({
  id: String(4_400_013_000_000 + i * 7919),
  first_name: `Qvxcanfirst${i}ẞ`,
  last_name: `O'Jwzcanlast${i}‮ٹ`,
  username: `qv_canary_handle_${i}`,
  photo_url: `https://t.me/i/userpic/320/qvcanaryphoto${i}.jpg`,
  address: `203.0.113.${170 + i}`,
}));

/** The PostgreSQL server log, from where it ends now, if this machine lets us read it. */
async function postgresLog(url: string): Promise<{ file: string; from: number } | null> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const current = (await c.query("SELECT pg_current_logfile() AS f, current_setting('data_directory') AS d"))
      .rows[0] as { f: string | null; d: string };
    const candidates = current.f ? [current.f.startsWith("/") ? current.f : join(current.d, current.f)] : [];
    if (existsSync("/var/log/postgresql"))
      candidates.push(
        ...readdirSync("/var/log/postgresql")
          .filter((f) => f.endsWith(".log"))
          .map((f) => join("/var/log/postgresql", f)),
      );
    const file = candidates.find((f) => existsSync(f));
    return file ? { file, from: statSync(file).size } : null;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  app = await startApp({ label: "sec-canary", env: { LOG_LEVEL: "debug" } });
  if (app.db.kind === "postgres") pgLog = await postgresLog(app.db.url);
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
});

it("finds no canary in the database, the app's logs or the database server's log after a full journey", async () => {
  for (const [i, person] of canaries.entries()) {
    const { address, ...profile } = person;
    const h = { "x-forwarded-for": address, "user-agent": `canary-agent-${profile.username}` };
    const c = new Client(app.origin);
    // First sign-in, held for consent, then every purpose granted.
    const first = await c.request("POST", "/api/auth/telegram", { json: signedPayload(profile), headers: h });
    expect(first.status).toBe(200);
    expect((await requestFollowing(c, "GET", "/consent", { headers: h })).status).toBe(200);
    expect((await c.request("PUT", "/api/me/consents", { json: { purposes: EVERYTHING }, headers: h })).status).toBe(
      200,
    );
    // Pages in every request variant, the API, export and receipt.
    for (const page of PAGES)
      for (const v of pageVariants(page.path))
        await (await requestFollowing(c, "GET", v.path, { headers: { ...h, ...v.headers } })).body?.cancel();
    const me = await (await c.get("/api/me")).text();
    expect(me).toContain(profile.username);
    for (const path of ["/api/me/export", "/api/me/receipt"])
      expect((await c.request("GET", path, { headers: h })).status).toBe(200);
    // Narrow, widen, and sign in again so the values are written afresh.
    expect(
      (
        await c.request("PUT", "/api/me/consents", {
          json: { purposes: { display_name: false, username: false } },
          headers: h,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await c.request("PUT", "/api/me/consents", {
          json: { purposes: { display_name: true, username: true } },
          headers: h,
        })
      ).status,
    ).toBe(200);
    const again = signedPayload(profile);
    expect(
      (await new Client(app.origin).request("POST", "/api/auth/telegram", { json: again, headers: h })).status,
    ).toBe(200);
    // Refused: a replay, a tampered payload carrying the canary, a foreign origin, a malformed body.
    expect(
      (await new Client(app.origin).request("POST", "/api/auth/telegram", { json: again, headers: h })).status,
    ).toBe(401);
    expect(
      (
        await new Client(app.origin).request("POST", "/api/auth/telegram", {
          json: { ...signedPayload(profile), last_name: `${profile.last_name}x` },
          headers: h,
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await c.request("PUT", "/api/me/consents", {
          json: { purposes: EVERYTHING },
          origin: "https://evil.example",
          headers: h,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await new Client(app.origin).request("POST", "/api/auth/telegram", {
          json: { id: profile.id, first_name: profile.first_name, hash: "zz" },
          headers: h,
        })
      ).status,
    ).toBe(400);
    // Logout, logout everywhere by the page's form, and erasure by API or by the page's form.
    const other = new Client(app.origin);
    expect(
      (await other.request("POST", "/api/auth/telegram", { json: signedPayload(profile), headers: h })).status,
    ).toBe(200);
    expect((await other.request("POST", "/api/auth/logout", { headers: h })).status).toBe(200);
    expect(
      (await c.request("POST", "/api/auth/logout?everywhere=1", { headers: { ...h, accept: "text/html" } })).status,
    ).toBe(303);
    const last = new Client(app.origin);
    expect(
      (await last.request("POST", "/api/auth/telegram", { json: signedPayload(profile), headers: h })).status,
    ).toBe(200);
    if (i === 0) expect((await last.request("DELETE", "/api/me", { headers: h })).status).toBe(200);
    if (i === 1)
      expect((await last.request("POST", "/api/me/delete", { headers: { ...h, accept: "text/html" } })).status).toBe(
        303,
      );
    // The third person stays: their values are live, encrypted at rest.
  }

  const values = canaries.flatMap((p) => [
    p.id,
    p.first_name!,
    p.last_name!,
    p.username!,
    p.photo_url!,
    p.address,
    `canary-agent-${p.username}`,
    "qvcanaryphoto",
    "Qvxcanfirst",
    "Jwzcanlast",
  ]);
  const sources: { name: string; bytes: Buffer }[] = [
    {
      name: app.db.kind === "sqlite" ? "SQLite files (main and -wal)" : "pg_dump of the database",
      bytes: await rawDatabaseBytes(app),
    },
  ];
  for (const f of readdirSync(app.db.dir).filter((f) => f.endsWith(".log")))
    sources.push({ name: `app log ${f}`, bytes: readFileSync(join(app.db.dir, f)) });
  if (pgLog)
    sources.push({ name: `PostgreSQL server log ${pgLog.file}`, bytes: readFileSync(pgLog.file).subarray(pgLog.from) });
  expect(sources[0]!.bytes.length).toBeGreaterThan(10_000);
  expect(sources.some((s) => s.name.startsWith("app log") && s.bytes.length > 5_000)).toBe(true);

  const hits = sources.flatMap((s) => hitsIn(s.bytes, values).map((v) => `${s.name}: ${v.slice(0, 4)}…`));
  const scanned = sources.reduce((n, s) => n + s.bytes.length, 0);
  recordFigure(
    "canary hits",
    hits.length,
    `${values.length} canaries × 7 encodings in ${(scanned / 1024).toFixed(0)} KiB: ${sources.map((s) => s.name).join(", ")}`,
  );
  expect(hits).toEqual([]);
});
