// Makes the upgrade fixture of a past release with that release's own code (issue 20): checks the
// release out into a temporary git worktree, installs and builds it, runs it (`next start`) against a
// fresh SQLite file and a fresh PostgreSQL database, creates people through ITS HTTP API in every kind
// of state, and saves both databases, the keys and settings it ran with, and a manifest of the facts
// the upgrade test expects, under tests/fixtures/releases/<release>/.
//
//   npx tsx --conditions=react-server scripts/release-fixture.ts v0.1.0 [--worktree DIR] [--out DIR]
//
// --worktree reuses a checkout of the release that is already installed and built (nothing is
// removed then); without it the temporary worktree is always removed, whatever happens. Everything
// the people "share" is synthetic test data. PostgreSQL: TEST_PG_ADMIN_URL, as for the tests.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { backupDatabase } from "../lib/data/migrate";
import { startTestBotApi, type TestBotApi } from "../tests/support/bot-api";
import { Client, signedPayload, type Profile } from "../tests/support/client";
import { freshDatabase, type TestDatabase } from "../tests/support/databases";
import { countRows, query } from "../tests/support/inspect";
import { freePort, waitForHealth } from "../tests/support/server";
import { TEST_BOT_TOKEN, testSecrets } from "../tests/support/secrets";

/** Past releases: tag name and commit (CHANGELOG.md lists them). */
const RELEASES: Record<string, string> = { "v0.1.0": "82abcf7" };

export type FixturePerson = {
  key: string;
  telegramId: string;
  profile: Profile;
  /** What the release's /api/me/export said, per database kind: null for nobody (erased, pending). */
  userId: { sqlite: string | null; postgres: string | null };
  erased: boolean;
  pending: boolean;
  admin: boolean;
  /** Purpose id -> granted, for every purpose the person decided on. */
  decisions: Record<string, boolean>;
  /** Field id -> the value the release stored (and exported). */
  values: Record<string, string>;
  /** One-time purposes with an outcome recorded (the phone check). */
  outcomes: string[];
};
export type FixtureManifest = {
  release: string;
  commit: string;
  made: string;
  /** The version of each purpose's text in that release's catalogue. */
  purposeVersions: Record<string, string>;
  people: FixturePerson[];
  /** Rows per table after the release ran, per database kind: what an upgrade must keep. */
  rows: { sqlite: Record<string, number>; postgres: Record<string, number> };
};

// npm ci compiles better-sqlite3 from source where no prebuilt binary can be downloaded: on a busy
// machine that alone took 16 minutes.
const sh = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"], timeout: 40 * 60_000 });

function fail(message: string): never {
  throw new Error(message);
}

// People in every state the release knows. Telegram ids are fixed, so the test can sign them in again.
// Each decides on every purpose of the release, so that after an upgrade a person is asked again only
// because a text they decided on changed.
type Person = {
  key: string;
  profile: Profile;
  decide?: Record<string, boolean>;
  withdraw?: string[];
  /** Shared through the bot's contact button, as Telegram sends it (no "+"). */
  phone?: string;
  erase?: boolean;
  pending?: boolean;
  admin?: boolean;
};
const PEOPLE: Person[] = [
  {
    key: "everything",
    profile: {
      id: "5000000001",
      first_name: "Ada",
      last_name: "Lovelace",
      username: "ada_fixture",
      photo_url: "https://t.me/i/userpic/320/ada.jpg",
    },
    decide: {
      account: true,
      display_name: true,
      username: true,
      profile_photo: true,
      phone_contact: true,
      phone_verification: true,
    },
    phone: "4915123400001",
  },
  {
    key: "declined",
    profile: { id: "5000000002", first_name: "Bruno", username: "bruno_fixture" },
    decide: {
      account: true,
      display_name: false,
      username: false,
      profile_photo: false,
      phone_contact: false,
      phone_verification: false,
    },
  },
  {
    key: "withdrew",
    profile: { id: "5000000003", first_name: "Chidi", last_name: "Okafor", username: "chidi_fixture" },
    decide: {
      account: true,
      display_name: true,
      username: true,
      profile_photo: false,
      phone_contact: false,
      phone_verification: false,
    },
    withdraw: ["username"],
  },
  {
    key: "phone-contact",
    profile: { id: "5000000004", first_name: "Dana" },
    decide: {
      account: true,
      display_name: true,
      username: false,
      profile_photo: false,
      phone_contact: true,
      phone_verification: false,
    },
    phone: "34612300004",
  },
  {
    key: "phone-check",
    profile: { id: "5000000005", first_name: "Emre" },
    decide: {
      account: true,
      display_name: false,
      username: false,
      profile_photo: false,
      phone_contact: false,
      phone_verification: true,
    },
    phone: "79161230005",
  },
  {
    key: "erased",
    profile: { id: "5000000006", first_name: "Farah", username: "farah_fixture" },
    decide: {
      account: true,
      display_name: true,
      username: true,
      profile_photo: false,
      phone_contact: true,
      phone_verification: false,
    },
    phone: "4930901800006",
    erase: true,
  },
  { key: "pending", profile: { id: "5000000007", first_name: "Gosia" }, pending: true },
  {
    key: "admin",
    profile: { id: "5000000008", first_name: "Hana" },
    decide: {
      account: true,
      display_name: true,
      username: false,
      profile_photo: true,
      phone_contact: false,
      phone_verification: false,
    },
    admin: true,
  },
];

type Export = {
  account: { id: string };
  purposes: {
    id: string;
    version: string;
    granted: boolean | null;
    decidedAt: string | null;
    outcomeAt?: string | null;
    stored: Record<string, { value: string }>;
  }[];
};

type Answer = Awaited<ReturnType<Client["request"]>>;
async function ok(res: Answer, what: string): Promise<Answer> {
  if (res.status >= 300 && res.status !== 303) fail(`${what} answered ${res.status}: ${await res.text()}`);
  return res;
}

async function populate(origin: string, bot: TestBotApi, webhookSecret: string) {
  let update = 1;
  const webhook = (c: Client, body: unknown) =>
    c.request("POST", "/api/telegram/webhook", {
      json: body,
      origin: null,
      headers: { "x-telegram-bot-api-secret-token": webhookSecret },
    });
  const message = (from: number, extra: Record<string, unknown>) => ({
    update_id: update++,
    message: {
      message_id: update,
      date: Math.floor(Date.now() / 1000),
      chat: { id: from, type: "private" },
      from: { id: from, is_bot: false, first_name: "X" },
      ...extra,
    },
  });
  const people: Omit<FixturePerson, "userId">[] = [];
  const ids: Record<string, string | null> = {};
  let purposeVersions: Record<string, string> = {};
  for (const p of PEOPLE) {
    const c = new Client(origin);
    const signIn = await ok(
      await c.request("POST", "/api/auth/telegram", { json: signedPayload(p.profile) }),
      `sign-in of ${p.key}`,
    );
    const { next } = (await signIn.json()) as { next: string };
    if (next !== "/consent") fail(`${p.key}: a first sign-in should ask for consent, got ${next}`);
    if (p.pending) {
      // Half-finished: signed in at Telegram, never answered the consent page.
      people.push({
        key: p.key,
        telegramId: p.profile.id,
        profile: p.profile,
        erased: false,
        pending: true,
        admin: false,
        decisions: {},
        values: {},
        outcomes: [],
      });
      ids[p.key] = null;
      continue;
    }
    await ok(
      await c.request("PUT", "/api/me/consents", { json: { purposes: p.decide ?? fail(`${p.key} decides nothing`) } }),
      `consent of ${p.key}`,
    );
    if (p.withdraw)
      await ok(
        await c.request("PUT", "/api/me/consents", {
          json: { purposes: Object.fromEntries(p.withdraw.map((w) => [w, false])) },
        }),
        `withdrawal of ${p.key}`,
      );
    if (p.phone) {
      // The bot path: a deep link from the settings page, /start in the bot, then the contact button.
      const link = (await (
        await ok(await c.request("POST", "/api/me/phone/bot-link"), `bot link of ${p.key}`)
      ).json()) as { link: string };
      const token = new URL(link.link).searchParams.get("start") ?? fail("no start token in the bot link");
      const tid = Number(p.profile.id);
      await ok(await webhook(c, message(tid, { text: `/start ${token}` })), "webhook /start");
      await ok(
        await webhook(c, message(tid, { contact: { phone_number: p.phone, first_name: "X", user_id: tid } })),
        "webhook contact",
      );
      const reply = bot.calls.filter((x) => x.method === "sendMessage" && x.body.chat_id === tid).at(-1);
      if (!reply || !/saved|noted|verified/i.test(String(reply.body.text)))
        fail(`${p.key}: the bot did not confirm the phone (${String(reply?.body.text)})`);
    }
    if (p.admin) await ok(await c.get("/api/admin/report"), "admin report");
    const exported = (await (await ok(await c.get("/api/me/export"), `export of ${p.key}`)).json()) as Export;
    purposeVersions = Object.fromEntries(exported.purposes.map((x) => [x.id, x.version]));
    const decisions = Object.fromEntries(
      exported.purposes.filter((x) => x.decidedAt).map((x) => [x.id, Boolean(x.granted)]),
    );
    const values = Object.fromEntries(
      exported.purposes.flatMap((x) => Object.entries(x.stored).map(([f, v]) => [f, v.value])),
    );
    const outcomes = exported.purposes.filter((x) => x.outcomeAt).map((x) => x.id);
    ids[p.key] = exported.account.id;
    if (p.erase) {
      await ok(await c.request("DELETE", "/api/me"), `erasure of ${p.key}`);
      if ((await c.get("/api/me")).status !== 401) fail(`${p.key}: still signed in after the erasure`);
    }
    people.push({
      key: p.key,
      telegramId: p.profile.id,
      profile: p.profile,
      erased: Boolean(p.erase),
      pending: false,
      admin: Boolean(p.admin),
      decisions,
      values,
      outcomes,
    });
  }
  return { people, ids, purposeVersions };
}

/** Rows per table, every table (the release's migration bookkeeping included). */
async function tableRows(db: TestDatabase): Promise<Record<string, number>> {
  const tables =
    db.kind === "sqlite"
      ? await query<{ t: string }>(
          { db },
          `SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
        )
      : await query<{ t: string }>(
          { db },
          `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
        );
  const out: Record<string, number> = {};
  for (const { t } of tables) out[t] = await countRows({ db }, t);
  return out;
}

async function runRelease(
  tree: string,
  kind: "sqlite" | "postgres",
  secrets: Record<string, string>,
  extraEnv: Record<string, string>,
  outDir: string,
) {
  // A fresh database made as the tests make theirs (under .test-runs/, dropped at the end).
  const db = await freshDatabase(`fixture-${kind}`, kind);
  const bot = await startTestBotApi(TEST_BOT_TOKEN);
  let child: ChildProcess | undefined;
  try {
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      APP_ORIGIN: origin,
      DATABASE_URL: db.url,
      DATA_DIR: db.dir,
      TELEGRAM_BOT_API_BASE: bot.base,
      ...secrets,
      ...extraEnv,
    };
    const server = spawn(
      process.execPath,
      [resolve(tree, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "localhost"],
      {
        cwd: tree,
        env: env as NodeJS.ProcessEnv,
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    child = server;
    await waitForHealth(origin, server, 120_000);
    const made = await populate(origin, bot, extraEnv.TELEGRAM_WEBHOOK_SECRET!);
    await new Promise<void>((r) => {
      server.once("exit", () => r());
      server.kill("SIGTERM");
    });
    const rows = await tableRows(db);
    // The same consistent copy an upgrade takes (VACUUM INTO / pg_dump --format=custom).
    const saved = await backupDatabase(kind, db.url, db.dir, "fixture");
    const target = join(outDir, kind === "sqlite" ? "sqlite.db" : "postgres.dump");
    renameSync(saved.path ?? fail(`pg_dump is needed to save the PostgreSQL fixture: ${saved.command}`), target);
    return { ...made, rows };
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await bot.close();
    await db.drop();
    rmSync(db.dir, { recursive: true, force: true });
  }
}

async function main() {
  const release = process.argv[2] ?? fail("usage: release-fixture.ts <release> [--worktree DIR]");
  const commit = RELEASES[release] ?? fail(`unknown release ${release} (known: ${Object.keys(RELEASES).join(", ")})`);
  const given = process.argv.indexOf("--worktree");
  const repo = resolve(".");
  const tree =
    given > 0
      ? resolve(process.argv[given + 1] ?? fail("--worktree needs a directory"))
      : mkdtempSync(join(tmpdir(), `release-${release}-`));
  const out = process.argv.indexOf("--out");
  const outDir = resolve(
    out > 0 ? (process.argv[out + 1] ?? fail("--out needs a directory")) : join("tests/fixtures/releases", release),
  );
  mkdirSync(outDir, { recursive: true });
  try {
    if (given < 0) {
      sh("git", ["worktree", "add", "--detach", tree, commit], repo);
      sh("npm", ["ci", "--no-audit", "--no-fund"], tree);
      sh("npx", ["next", "build"], tree);
    }
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: tree, encoding: "utf8" }).trim();
    if (!head.startsWith(commit)) fail(`${tree} is at ${head}, not ${release} (${commit})`);

    // One set of keys for both databases, kept with the fixture: an old database needs its old keys.
    const secrets = testSecrets();
    const extraEnv = {
      TELEGRAM_WEBHOOK_SECRET: randomBytes(24).toString("base64url"),
      ADMIN_TELEGRAM_IDS: PEOPLE.find((p) => p.admin)!.profile.id,
      PURGE_INTERVAL_MINUTES: "0",
      RATE_LIMIT_FACTOR: "1000",
      LOG_LEVEL: "warn",
    };
    const sqlite = await runRelease(tree, "sqlite", secrets, extraEnv, outDir);
    const postgres = await runRelease(tree, "postgres", secrets, extraEnv, outDir);
    if (JSON.stringify(sqlite.people) !== JSON.stringify(postgres.people))
      fail("the release stored different facts on SQLite and PostgreSQL");
    const manifest: FixtureManifest = {
      release,
      commit,
      made: new Date().toISOString(),
      purposeVersions: sqlite.purposeVersions,
      people: sqlite.people.map((p) => ({
        ...p,
        userId: { sqlite: sqlite.ids[p.key] ?? null, postgres: postgres.ids[p.key] ?? null },
      })),
      rows: { sqlite: sqlite.rows, postgres: postgres.rows },
    };
    writeFileSync(join(outDir, "env.json"), `${JSON.stringify({ ...secrets, ...extraEnv }, null, 2)}\n`);
    writeFileSync(join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`fixture of ${release} written to ${outDir}`);
  } finally {
    if (given < 0) {
      try {
        sh("git", ["worktree", "remove", "--force", tree], repo);
      } catch {
        rmSync(tree, { recursive: true, force: true });
        sh("git", ["worktree", "prune"], repo);
      }
    }
  }
}

await main();
