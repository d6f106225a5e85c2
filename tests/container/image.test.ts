// The image as an operator runs it (`npm run test:container`; the image is built by
// tests/container/setup.ts): its explicit migration step, then the server, against a fresh
// PostgreSQL database on 127.0.0.1 and against SQLite in a named volume. Each run signs a person in,
// consents, exports, erases another person, restarts and finds the data again, and checks that the
// server runs as a non-root user on a read-only root filesystem.
import { randomBytes } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDatabase } from "../support/databases";
import { testSecrets } from "../support/secrets";
import { freePort } from "../support/server";
import { afterRestart, firstVisit } from "./journey";
import { IMAGE, podman, run, waitHealthy } from "./podman";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** The app's variables in an env file (mode 0600): secrets never appear on a command line. */
function envFile(db: TestDatabase, port: number, extra: Record<string, string> = {}): string {
  const vars: Record<string, string> = {
    PORT: String(port),
    // The image listens on every interface (HOSTNAME=0.0.0.0); on the host's network, loopback only.
    HOSTNAME: "127.0.0.1",
    APP_ORIGIN: `http://localhost:${port}`,
    PURGE_INTERVAL_MINUTES: "0",
    RATE_LIMIT_FACTOR: "1000",
    CONTROLLER_NAME: "Test Controller Ltd",
    CONTROLLER_CONTACT: "privacy@controller.test",
    PRIVACY_POLICY_URL: "https://controller.test/privacy",
    ...testSecrets(),
    ...extra,
  };
  const file = join(db.dir, "container.env");
  writeFileSync(
    file,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(""),
    { mode: 0o600 },
  );
  chmodSync(file, 0o600);
  return file;
}

/** `podman run` with the flags of every run here: host network, the env file, a read-only root. */
function runArgs(name: string, env: string, mounts: string[]): string[] {
  return [
    "--name",
    name,
    "--network=host",
    "--env-file",
    env,
    "--read-only",
    "--tmpfs",
    "/app/.next/cache",
    ...mounts,
    IMAGE,
  ];
}

async function startServer(name: string, env: string, mounts: string[]): Promise<void> {
  await podman("run", "-d", ...runArgs(name, env, mounts));
  // -v: the anonymous volume the image's VOLUME gives a container run without one goes too.
  cleanups.push(() => podman("rm", "-f", "-v", "-t", "2", name));
  await waitHealthy(name);
}

async function assertUnprivileged(name: string): Promise<void> {
  // Every process in the container (the server retitles itself "next-server"), and a shell exec'd beside it.
  const users = (await podman("top", name, "user"))
    .split("\n")
    .slice(1)
    .map((l) => l.trim());
  expect(users.length).toBeGreaterThan(0);
  expect(new Set(users)).toEqual(new Set(["node"]));
  expect(await podman("exec", name, "id", "-u")).toBe("1000");
  const write = await run("podman", ["exec", name, "sh", "-c", "touch /app/server.js /app/probe"]);
  expect(write.code).not.toBe(0);
  expect(write.stderr).toMatch(/Read-only file system|Permission denied/);
}

describe("the image", () => {
  it("runs as a non-root user, declares its data volume and healthcheck, and migrates explicitly", async () => {
    const [config] = JSON.parse(await podman("image", "inspect", IMAGE)) as {
      Config: { User: string; Volumes: Record<string, object>; Entrypoint: string[]; Cmd: string[] };
      HealthCheck?: { Test: string[] };
    }[];
    expect(config!.Config.User).toBe("node");
    expect(Object.keys(config!.Config.Volumes)).toEqual(["/app/data"]);
    expect(config!.Config.Cmd).toEqual(["serve"]);
    const health = await podman("image", "inspect", "--format", "{{json .Config.Healthcheck}}", IMAGE);
    expect(health).toContain("/usr/local/bin/healthcheck.mjs");
    // No secret in any layer: the build context leaves .env out, and no layer's command names one.
    const history = await podman("history", "--no-trunc", "--format", "{{.CreatedBy}}", IMAGE);
    expect(history).not.toMatch(/SESSION_SECRET|FIELD_ENCRYPTION_KEY|BLIND_INDEX_KEY|BOT_TOKEN/);
    const files = await run("podman", ["run", "--rm", "--network=none", IMAGE, "sh", "-c", "ls -a /app"]);
    expect(files.stdout.split("\n")).not.toContain(".env");
    expect(files.stdout).toContain("server.js");
  });
});

describe("against PostgreSQL on 127.0.0.1", () => {
  it("migrates, serves a journey, keeps it across a restart, as non-root on a read-only root", async () => {
    const db = await freshDatabase("container", "postgres");
    cleanups.push(() => db.drop());
    const port = await freePort();
    const env = envFile(db, port, { DATABASE_URL: db.url });
    const tables = async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = '_app_migrations'`,
        );
        const users = rows[0]!.n ? (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM users`)).rows : [];
        return { migrated: rows[0]!.n === 1, users: users[0]?.n ?? 0 };
      } finally {
        await c.end();
      }
    };
    expect((await tables()).migrated).toBe(false);

    const migrate = await run("podman", [
      "run",
      "--rm",
      "--network=host",
      "--env-file",
      env,
      "--read-only",
      IMAGE,
      "migrate",
    ]);
    expect(migrate.stderr + migrate.stdout).toMatch(/applied \d+ migration\(s\)/);
    expect(migrate.code).toBe(0);
    expect(await tables()).toEqual({ migrated: true, users: 0 });

    const name = `cl-pg-${randomBytes(3).toString("hex")}`;
    await startServer(name, env, []);
    await assertUnprivileged(name);
    const journey = await firstVisit(`http://localhost:${port}`);
    expect((await tables()).users).toBe(1);

    await podman("restart", "-t", "10", name);
    await waitHealthy(name);
    await afterRestart(`http://localhost:${port}`, journey);
    expect((await tables()).users).toBe(1);
  });
});

describe("against SQLite in a named volume", () => {
  it("migrates into the volume, serves a journey, and a new container finds the data there", async () => {
    const db = await freshDatabase("container", "sqlite");
    const volume = `cl-data-${randomBytes(3).toString("hex")}`;
    await podman("volume", "create", volume);
    cleanups.push(() => podman("volume", "rm", "-f", volume));
    const mount = ["--volume", `${volume}:/app/data`];
    const port = await freePort();
    // The image's own DATABASE_URL and DATA_DIR: the volume.
    const env = envFile(db, port);

    const migrate = await run("podman", [
      "run",
      "--rm",
      "--network=host",
      "--env-file",
      env,
      "--read-only",
      ...mount,
      IMAGE,
      "migrate",
    ]);
    expect(migrate.stderr + migrate.stdout).toMatch(/applied \d+ migration\(s\)/);
    expect(migrate.code).toBe(0);

    const first = `cl-sqlite-${randomBytes(3).toString("hex")}`;
    await startServer(first, env, mount);
    await assertUnprivileged(first);
    const journey = await firstVisit(`http://localhost:${port}`);

    // Not a restart of the same container: a new one, so only the volume can carry the data over.
    await podman("rm", "-f", "-v", "-t", "10", first);
    const onDisk = join(await podman("volume", "inspect", "--format", "{{.Mountpoint}}", volume), "app.db");
    const file = new Database(onDisk, { readonly: true, fileMustExist: true });
    try {
      expect((file.prepare("SELECT count(*) AS n FROM users").get() as { n: number }).n).toBe(1);
    } finally {
      file.close();
    }
    const second = `cl-sqlite-${randomBytes(3).toString("hex")}`;
    await startServer(second, env, mount);
    await afterRestart(`http://localhost:${port}`, journey);
  });
});
