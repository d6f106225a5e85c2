// Issue 20, item 4: the start refuses what would otherwise go wrong silently, through the real
// server: every configuration problem at once and before "Ready" (`npm start`), a master key that
// fits no stored data key, a blind-index key swapped without its _PREVIOUS, and a database that
// refuses connections or accepts them and never answers, each naming its variable.
import { randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { Client, EVERYTHING } from "./support/client";
import { freshDatabase, testDbKind, type TestDatabase } from "./support/databases";
import { query } from "./support/inspect";
import { testSecrets } from "./support/secrets";
import { freePort, startApp, startExpectingExit } from "./support/server";

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
});

describe(`start refusals [${testDbKind()}]`, () => {
  it("npm start reports every configuration problem at once, before Ready, and exits 1", async () => {
    const r = await startExpectingExit({
      label: "start-config",
      viaNpmStart: true,
      unset: ["SESSION_SECRET", "CONTROLLER_NAME"],
      env: { FIELD_ENCRYPTION_KEY: "short", PORT: "99999", DATABASE_TIMEOUT_SECONDS: "0" },
    });
    expect(r.code).toBe(1);
    for (const name of [
      "SESSION_SECRET: required in production",
      "CONTROLLER_NAME: required in production",
      "FIELD_ENCRYPTION_KEY:",
      "PORT:",
      "DATABASE_TIMEOUT_SECONDS:",
    ])
      expect(r.output).toContain(name);
    expect(r.output).not.toContain("Ready");
  });

  it("a FIELD_ENCRYPTION_KEY or BLIND_INDEX_KEY that does not fit the stored data stops the start", async () => {
    const secrets = testSecrets();
    const app = await startApp({ label: "start-keys", secrets });
    dbs.push(app.db);
    const c = new Client(app.origin);
    await c.signIn({ id: "912345678", first_name: "Keyholder" }, EVERYTHING);
    await app.stop();
    const checks = await query<{ kind: string }>(app, "SELECT kind FROM key_checks ORDER BY kind");
    expect(checks.map((r) => r.kind)).toEqual(["blind_index", "field"]);

    const wrongMaster = await startExpectingExit({
      label: "start-keys",
      db: app.db,
      secrets: { ...secrets, FIELD_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
    });
    expect(wrongMaster.code).toBe(1);
    expect(wrongMaster.output).toMatch(/FIELD_ENCRYPTION_KEY: does not match/);
    expect(wrongMaster.output).not.toContain(secrets.FIELD_ENCRYPTION_KEY);

    const newBlind = randomBytes(32).toString("base64");
    const swapped = await startExpectingExit({
      label: "start-keys",
      db: app.db,
      viaNpmStart: true,
      secrets: { ...secrets, BLIND_INDEX_KEY: newBlind },
    });
    expect(swapped.code).toBe(1);
    expect(swapped.output).toMatch(/BLIND_INDEX_KEY: does not match/);
    expect(swapped.output).not.toContain("Ready");

    // The same new key with the old one kept as _PREVIOUS is a rotation: the app starts, and the
    // returning person is found (no second account).
    const rotating = await startApp({
      label: "start-keys",
      db: app.db,
      secrets: { ...secrets, BLIND_INDEX_KEY: newBlind, BLIND_INDEX_KEY_PREVIOUS: secrets.BLIND_INDEX_KEY },
    });
    const again = new Client(rotating.origin);
    expect((await again.signIn({ id: "912345678" })).next).not.toBe("/consent");
    await rotating.stop();
    expect(await query(app, "SELECT id FROM users")).toHaveLength(1);
  });

  it("a database created before key checks is checked against its data at first start", async () => {
    const secrets = testSecrets();
    const app = await startApp({ label: "start-first", secrets });
    dbs.push(app.db);
    await new Client(app.origin).signIn({ id: "923456789", first_name: "Early" }, EVERYTHING);
    await app.stop();
    const { execute } = await import("./support/inspect");
    await execute(app, "DELETE FROM key_checks");
    const r = await startExpectingExit({
      label: "start-first",
      db: app.db,
      secrets: { ...secrets, BLIND_INDEX_KEY: randomBytes(32).toString("base64") },
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/BLIND_INDEX_KEY: does not match/);
    expect(await query(app, "SELECT kind FROM key_checks")).toHaveLength(0);
  });

  it("a database that refuses connections is named within the timeout", async () => {
    const port = await freePort();
    const r = await startExpectingExit({
      label: "start-refused",
      viaNpmStart: true,
      env: { DATABASE_URL: `postgresql://nobody@127.0.0.1:${port}/nothing`, DATABASE_TIMEOUT_SECONDS: "3" },
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/DATABASE_URL: the database refused the connection/);
    expect(r.output).not.toContain("Ready");
  });

  it("a database that accepts connections and never answers is named within DATABASE_TIMEOUT_SECONDS", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((res) => silent.listen(0, "127.0.0.1", res));
    const { port } = silent.address() as { port: number };
    try {
      for (const viaNpmStart of [false, true]) {
        const r = await startExpectingExit({
          label: "start-silent",
          viaNpmStart,
          env: { DATABASE_URL: `postgresql://nobody@127.0.0.1:${port}/nothing`, DATABASE_TIMEOUT_SECONDS: "2" },
          timeoutMs: 45_000,
        });
        expect(r.code).toBe(1);
        expect(r.output).toContain("DATABASE_URL: the database did not answer within 2 s");
        if (viaNpmStart) expect(r.output).not.toContain("Ready");
      }
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it.skipIf(testDbKind() !== "postgres")(
    "/api/health answers 503 within DATABASE_TIMEOUT_SECONDS when the database goes silent (PostgreSQL: SQLite has no connection to go silent)",
    async () => {
      const db = await freshDatabase("health-silent");
      dbs.push(db);
      // A TCP relay to the real server that can stop relaying: the connections stay open, nothing answers.
      let silent = false;
      const pairs: Socket[] = [];
      const relay = createServer((client) => {
        const upstream = connect(5432, "127.0.0.1");
        pairs.push(client, upstream);
        client.on("data", (d) => !silent && upstream.write(d));
        upstream.on("data", (d) => !silent && client.write(d));
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
      });
      await new Promise<void>((res) => relay.listen(0, "127.0.0.1", res));
      const url = new URL(db.url);
      url.port = String((relay.address() as { port: number }).port);
      const app = await startApp({
        label: "health-silent",
        db: { ...db, url: url.toString() },
        env: { DATABASE_TIMEOUT_SECONDS: "3" },
      });
      try {
        expect((await fetch(`${app.origin}/api/health`)).status).toBe(200);
        silent = true;
        const started = performance.now();
        const res = await fetch(`${app.origin}/api/health`, { signal: AbortSignal.timeout(30_000) });
        expect(res.status).toBe(503);
        expect((performance.now() - started) / 1000).toBeLessThan(10);
      } finally {
        await app.stop();
        for (const s of pairs) s.destroy();
        relay.close();
      }
    },
  );
});
