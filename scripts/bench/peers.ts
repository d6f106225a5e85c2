// The peer benchmark (issue 16): our sign-in beside what a team would deploy instead, each a minimal
// Next.js app under bench/peers/<name>/ with its own lockfile, installed and built here only, on a
// fresh database of the same kind, signing in the same synthetic returning people with the same kind
// of fresh signed widget payload. Then the privacy side of the same run: each database is dumped
// and searched for those people's values, and each system is asked to take a replayed payload, a
// payload dated an hour ahead, a withdrawal and an erasure. Figures only; no personal data printed.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { Client, signedPayload, type Profile } from "../../tests/support/client";
import { freshDatabase, type TestDatabase, type TestDbKind } from "../../tests/support/databases";
import { rawDatabaseBytes } from "../../tests/support/inspect";
import { freePort, startApp } from "../../tests/support/server";
import { TEST_BOT_TOKEN, TEST_BOT_USERNAME, testSecrets } from "../../tests/support/secrets";
import { load, type LoadRequest, type LoadResult } from "./load";

export const PEERS = ["authjs", "better-auth"] as const;
export type Peer = (typeof PEERS)[number];
export type SystemName = "us" | Peer;
export const LABEL: Record<SystemName, string> = {
  us: "consent-login (us)",
  authjs: "Auth.js 5 + @telegram-auth/server + Prisma adapter",
  "better-auth": "Better Auth + better-auth-telegram",
};

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const peerDir = (peer: Peer) => resolve("bench/peers", peer);

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

/** `npm ci` when the lockfile is newer than the install, the peer's own setup, `next build` when a source is newer than the build. */
export function preparePeer(peer: Peer): void {
  const dir = peerDir(peer);
  // next build loads auth.js to collect each route's configuration: placeholders, never used to serve.
  const buildEnv = {
    DATABASE_URL: "file::memory:",
    BOT_TOKEN: "0:build",
    TELEGRAM_BOT_TOKEN: "0:build",
    TELEGRAM_BOT_USERNAME: "build_bot",
    AUTH_SECRET: "build-only-placeholder-secret-0123456789",
    BETTER_AUTH_SECRET: "build-only-placeholder-secret-0123456789",
  };
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, {
      cwd: dir,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...buildEnv },
    });
  const installed = join(dir, "node_modules/.package-lock.json");
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(join(dir, "package-lock.json")).mtimeMs) {
    log(`${peer}: npm ci`);
    run("npm", ["ci", "--no-audit", "--no-fund"]);
  }
  if (existsSync(join(dir, "setup.mjs")) && !existsSync(join(dir, "generated"))) {
    log(`${peer}: setup.mjs (schemas, clients, create.sql)`);
    run(process.execPath, ["setup.mjs"]);
  }
  const buildId = join(dir, ".next/BUILD_ID");
  const sources = ["app", "lib", "auth.js", "next.config.mjs", "package-lock.json", "generated"]
    .map((f) => join(dir, f))
    .filter((f) => existsSync(f));
  if (!existsSync(buildId) || statSync(buildId).mtimeMs < Math.max(...sources.map(newestMtime))) {
    log(`${peer}: next build`);
    run(process.execPath, ["node_modules/next/dist/bin/next", "build"]);
  }
}

/** A signed widget payload as the system's own client sends it. */
export type Running = {
  name: SystemName;
  origin: string;
  pid: number;
  db: TestDatabase;
  signIn: (payload: Record<string, string>) => LoadRequest;
  accept: (status: number, body: string) => boolean;
  stop: () => Promise<void>;
};

async function createTables(peer: Peer, db: TestDatabase, env: Record<string, string>): Promise<void> {
  if (peer === "better-auth") {
    execFileSync(process.execPath, ["migrate.mjs"], {
      cwd: peerDir(peer),
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    return;
  }
  const sql = readFileSync(join(peerDir(peer), "generated", db.kind, "create.sql"), "utf8");
  if (db.kind === "sqlite") {
    const d = new Database(db.sqliteFile!);
    d.exec(sql);
    d.close();
    return;
  }
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(sql);
  await c.end();
}

async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`peer server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error("peer server did not answer in time");
}

export async function startPeer(peer: Peer, kind: TestDbKind): Promise<Running> {
  const db = await freshDatabase(`peer${peer}${kind}`, kind);
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: db.url,
    ...(peer === "authjs"
      ? {
          AUTH_SECRET: testSecrets().SESSION_SECRET,
          AUTH_URL: origin,
          AUTH_TRUST_HOST: "true",
          BOT_TOKEN: TEST_BOT_TOKEN,
        }
      : {
          BETTER_AUTH_SECRET: testSecrets().SESSION_SECRET,
          BETTER_AUTH_URL: origin,
          TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
          TELEGRAM_BOT_USERNAME: TEST_BOT_USERNAME,
        }),
  };
  await createTables(peer, db, env);
  const out = createWriteStream(join(db.dir, `server-${port}.log`));
  const child: ChildProcess = spawn(
    process.execPath,
    [join(peerDir(peer), "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "localhost"],
    { cwd: peerDir(peer), env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((res) => {
      child.once("exit", () => res());
      child.kill("SIGTERM");
    });
  };
  try {
    await waitUntilAnswering(origin, child);
  } catch (e) {
    await stop();
    throw e;
  }
  const base = { name: peer, origin, pid: child.pid!, db, stop };
  if (peer === "better-auth") {
    // The plugin's client posts the widget's callback object, where id and auth_date are numbers.
    return {
      ...base,
      signIn: (p) => ({
        path: "/api/auth/telegram/signin",
        body: JSON.stringify({ ...p, id: Number(p.id), auth_date: Number(p.auth_date) }),
      }),
      accept: (status) => status === 200,
    };
  }
  // next-auth/react's signIn("telegram-login", { callbackUrl }, widgetData): the widget's fields in the
  // query string, the CSRF token (double-submit cookie, fetched once as a browser would) in the body,
  // and X-Auth-Return-Redirect, so Auth.js answers with JSON naming where to go ("error=" if refused).
  const csrf = await fetch(`${origin}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const body = new URLSearchParams({ csrfToken, callbackUrl: `${origin}/` }).toString();
  const headers = { "content-type": "application/x-www-form-urlencoded", cookie, "x-auth-return-redirect": "1" };
  return {
    ...base,
    signIn: (p) => ({ path: `/api/auth/callback/telegram-login?${new URLSearchParams(p)}`, body, headers }),
    accept: (status, text) => status === 200 && !text.includes("error="),
  };
}

export async function startUs(
  kind: TestDbKind,
  env: Record<string, string>,
): Promise<Running & { app: Awaited<ReturnType<typeof startApp>> }> {
  const app = await startApp({ label: `peersus${kind}`, db: await freshDatabase(`peersus${kind}`, kind), env });
  return {
    name: "us",
    origin: app.origin,
    pid: app.process.pid!,
    db: app.db,
    app,
    signIn: (p) => ({ path: "/api/auth/telegram", body: JSON.stringify(p) }),
    accept: (status) => status === 200,
    stop: () => app.stop(),
  };
}

/** Synthetic people with values distinctive enough to search a database dump for. */
export function people(count: number, idBase: number): Required<Profile>[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(idBase + i * 7919),
    first_name: `Qzpeerfirst${i}k`,
    last_name: `Wxpeerlast${i}j`,
    username: `qz_peer_handle_${i}v`,
    photo_url: `https://t.me/i/userpic/320/qzpeerphoto${i}.jpg`,
  }));
}

/** Fresh payloads, each person's auth_date one second further back per round from `newest`, so none repeats. */
export function freshPayloads(who: Profile[], count: number, newest: number): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (let k = 0; out.length < count; k++)
    for (const p of who) if (out.length < count) out.push(signedPayload(p, { authDate: newest - k }));
  return out;
}

async function send(sys: Running, payload: Record<string, string>): Promise<{ ok: boolean; cookie: string }> {
  const r = sys.signIn(payload);
  const res = await fetch(`${sys.origin}${r.path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: sys.origin, ...r.headers },
    body: r.body,
    redirect: "manual",
  });
  const text = await res.text();
  return {
    ok: sys.accept(res.status, text),
    cookie: res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
  };
}

/** First sign-in of every person (ours also approves the name and username purposes, as the sign-in bench does). */
export async function enrol(sys: Running, who: Profile[]): Promise<void> {
  for (const p of who) {
    if (sys.name === "us") {
      await new Client(sys.origin).signIn(p, {
        account: true,
        display_name: true,
        username: true,
        profile_photo: true,
      });
      continue;
    }
    const r = await send(sys, signedPayload(p));
    if (!r.ok) throw new Error(`${sys.name}: the first sign-in of a synthetic person was refused`);
  }
}

export type LoadFigures = { max: LoadResult; fixed?: LoadResult };

export function loadRequests(sys: Running, payloads: Record<string, string>[]): LoadRequest[] {
  return payloads.map((p) => sys.signIn(p));
}

export async function saturate(
  sys: Running,
  payloads: Record<string, string>[],
  seconds: number,
  connections: number,
  rate?: number,
): Promise<LoadResult> {
  return load({
    urls: [sys.origin],
    origin: sys.origin,
    path: "/",
    bodies: loadRequests(sys, payloads),
    seconds,
    connections,
    accept: sys.accept,
    ...(rate ? { rate } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// The privacy side.

const FIELDS = ["id", "first_name", "last_name", "username", "photo_url"] as const;
export type Field = (typeof FIELDS)[number];

function encodings(value: string): Buffer[] {
  return [
    Buffer.from(value, "utf8"),
    Buffer.from(value, "utf16le"),
    Buffer.from(Buffer.from(value).toString("base64")),
    Buffer.from(Buffer.from(value).toString("base64url")),
    Buffer.from(Buffer.from(value).toString("hex")),
    Buffer.from(encodeURIComponent(value)),
  ];
}

/** A Telegram id may also sit in a SQLite record as a big-endian integer of 6 or 8 bytes. */
function idEncodings(id: string): Buffer[] {
  const be8 = Buffer.alloc(8);
  be8.writeBigInt64BE(BigInt(id));
  return [...encodings(id), be8, be8.subarray(2)];
}

export function found(dump: Buffer, value: string, field: Field): boolean {
  return (field === "id" ? idEncodings(value) : encodings(value)).some((e) => dump.includes(e));
}

export type Privacy = {
  /** Per field: how many of the people have that value findable in the dump (utf8, utf16, base64, hex, URL-encoded; ids also as binary integers). */
  plaintext: Record<Field, number>;
  people: number;
  dumpBytes: number;
  rows: Record<string, number>;
  signIns: number;
  replayAccepted: boolean;
  futureAccepted: boolean;
  withdrawal: string;
  erasure: string;
};

async function tableRows(db: TestDatabase): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  if (db.kind === "sqlite") {
    const d = new Database(db.sqliteFile!, { readonly: true });
    try {
      for (const { name } of d
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' ESCAPE '\\'",
        )
        .all() as { name: string }[]) {
        rows[name] = (d.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n;
      }
    } finally {
      d.close();
    }
    return rows;
  }
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const names = (
      await c.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_%'",
      )
    ).rows as { table_name: string }[];
    for (const { table_name } of names)
      rows[table_name] = Number((await c.query(`SELECT COUNT(*) AS n FROM "${table_name}"`)).rows[0].n);
  } finally {
    await c.end();
  }
  return rows;
}

async function dump(db: TestDatabase): Promise<Buffer> {
  const main = await rawDatabaseBytes({ db });
  // A rollback journal (the peers' SQLite default) as well as our WAL.
  const journal =
    db.sqliteFile && existsSync(`${db.sqliteFile}-journal`)
      ? readFileSync(`${db.sqliteFile}-journal`)
      : Buffer.alloc(0);
  return Buffer.concat([main, journal]);
}

/** Tries to withdraw and to erase for one person, then looks for that person's values in the dump. */
async function withdrawAndErase(sys: Running, person: Profile): Promise<{ withdrawal: string; erasure: string }> {
  if (sys.name === "us") {
    const c = new Client(sys.origin);
    await c.signIn(person, { account: true, display_name: true, username: true, profile_photo: true });
    const w = await c.request("PUT", "/api/me/consents", { json: { purposes: { display_name: false } } });
    const afterWithdrawal = await dump(sys.db);
    const nameGone =
      !found(afterWithdrawal, person.first_name!, "first_name") &&
      !found(afterWithdrawal, person.last_name!, "last_name");
    const e = await c.request("DELETE", "/api/me");
    const afterErasure = await dump(sys.db);
    const left = FIELDS.filter((f) => found(afterErasure, person[f]!, f));
    return {
      withdrawal: `per purpose, PUT /api/me/consents ${w.status}; the name ${nameGone ? "was gone from the database at once" : "was still in the database"}`,
      erasure: `DELETE /api/me ${e.status}; ${left.length === 0 ? "none of the person's values left in the database" : `still found: ${left.join(", ")}`}`,
    };
  }
  const first = await send(sys, signedPayload(person));
  if (sys.name === "better-auth") {
    // Better Auth documents POST /delete-user, off unless `user.deleteUser.enabled` is set; the
    // plugin's own docs do not set it. Asked as its client would, with the session cookie.
    const res = await fetch(`${sys.origin}/api/auth/delete-user`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: sys.origin, cookie: first.cookie },
      body: "{}",
    });
    const after = await dump(sys.db);
    const left = FIELDS.filter((f) => found(after, person[f]!, f));
    return {
      withdrawal: "none (no consent model: every mapped field is stored on each sign-in)",
      erasure: `POST /api/auth/delete-user ${res.status} (off by default); ${left.length === 0 ? "none of the person's values left" : `still in the database: ${left.join(", ")}`}`,
    };
  }
  const leftNow = await dump(sys.db).then((d) => FIELDS.filter((f) => found(d, person[f]!, f)));
  return {
    withdrawal: "none (no consent model: every mapped field is stored on each sign-in)",
    erasure: `no route: Auth.js has none (the adapter's deleteUser is for the app to call); the person's ${leftNow.join(", ")} stay in the database`,
  };
}

export async function privacy(
  sys: Running,
  who: Required<Profile>[],
  signIns: number,
  spare: Required<Profile>[],
): Promise<Privacy> {
  const bytes = await dump(sys.db);
  const plaintext = Object.fromEntries(
    FIELDS.map((f) => [f, who.filter((p) => found(bytes, p[f], f)).length]),
  ) as Record<Field, number>;
  const rows = await tableRows(sys.db);
  // A fresh payload, accepted, then the same payload again; then a payload dated an hour ahead.
  const [replayPerson, futurePerson, erasePerson] = spare as [Required<Profile>, Required<Profile>, Required<Profile>];
  const payload = signedPayload(replayPerson);
  const firstUse = await send(sys, payload);
  if (!firstUse.ok) throw new Error(`${sys.name}: a fresh payload was refused`);
  const replayAccepted = (await send(sys, payload)).ok;
  const futureAccepted = (
    await send(sys, signedPayload(futurePerson, { authDate: Math.floor(Date.now() / 1000) + 3600 }))
  ).ok;
  const { withdrawal, erasure } = await withdrawAndErase(sys, erasePerson);
  return {
    plaintext,
    people: who.length,
    dumpBytes: bytes.length,
    rows,
    signIns,
    replayAccepted,
    futureAccepted,
    withdrawal,
    erasure,
  };
}
