// Two app instances on one PostgreSQL database, as an operator runs several: a login payload
// accepted by one is refused by the other, a session ended on one is ended on the other, erasure on
// one signs the user out on both, and the rate limits are one budget across both.
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client, EVERYTHING, ONLY_ACCOUNT, signedPayload } from "../../support/client";
import { freshDatabase, type TestDatabase } from "../../support/databases";
import { countRows, query } from "../../support/inspect";
import { testSecrets } from "../../support/secrets";
import { startApp, type TestApp } from "../../support/server";
import { recordFigure } from "../support";

let db: TestDatabase;
let a: TestApp;
let b: TestApp;
let checks = 0;
let nextId = 4_400_011_000_000;
const freshId = () => String(nextId++);

beforeAll(async () => {
  db = await freshDatabase("sec-two");
  const secrets = testSecrets();
  a = await startApp({ label: "sec-two-a", db, secrets, env: { RATE_LIMIT_FACTOR: "1" } });
  b = await startApp({ label: "sec-two-b", db, secrets, env: { RATE_LIMIT_FACTOR: "1" } });
});
afterAll(async () => {
  recordFigure("cross-instance replay and revocation checks", checks);
  await a?.stop();
  await b?.stop();
  await db?.drop();
});

/** The same browser talking to the other instance (same cookies, the other origin). */
function on(app: TestApp, from: Client): Client {
  const c = new Client(app.origin);
  c.cookies = from.cookies;
  return c;
}

it("runs on PostgreSQL", () => {
  expect(db.kind).toBe("postgres");
});

it("a payload accepted by one instance is refused by the other", async () => {
  const payload = signedPayload({ id: freshId(), first_name: "Replay" });
  expect((await new Client(a.origin).request("POST", "/api/auth/telegram", { json: payload })).status).toBe(200);
  const replay = await new Client(b.origin).request("POST", "/api/auth/telegram", { json: payload });
  expect(replay.status).toBe(401);
  expect(await replay.json()).toEqual({ error: expect.stringContaining("Telegram could not confirm") });
  checks += 1;
});

it("of one payload raced at both instances at once, exactly one request wins", async () => {
  for (let round = 0; round < 5; round++) {
    const payload = signedPayload({ id: freshId() });
    const results = await Promise.all(
      [a, b, a, b, a, b].map((app) => new Client(app.origin).request("POST", "/api/auth/telegram", { json: payload })),
    );
    expect(results.map((r) => r.status).filter((s) => s === 200)).toHaveLength(1);
    checks += 1;
  }
});

it("erasure on one instance ends every session of the user on both", async () => {
  const telegramId = freshId();
  const first = new Client(a.origin);
  await first.signIn({ id: telegramId, first_name: "Twoinstances" }, EVERYTHING);
  const me = (await (await first.get("/api/me")).json()) as { id: string };
  // A second browser of the same person, signed in through the other instance.
  const second = new Client(b.origin);
  await second.signIn({ id: telegramId }, EVERYTHING);
  for (const c of [on(a, first), on(b, first), on(a, second), on(b, second)])
    expect((await c.get("/api/me")).status).toBe(200);
  expect(await countRows(a, "sessions", "user_id = $1", [me.id])).toBe(2);

  const erased = await on(b, first).request("DELETE", "/api/me");
  expect(erased.status).toBe(200);
  for (const c of [on(a, first), on(b, first), on(a, second), on(b, second)]) {
    expect((await c.get("/api/me")).status).toBe(401);
    checks += 1;
  }
  expect(await countRows(a, "users", "id = $1", [me.id])).toBe(0);
  expect(await countRows(a, "sessions", "user_id = $1", [me.id])).toBe(0);
});

it("logout on one instance ends that session on the other; logout everywhere ends all of them", async () => {
  const id = freshId();
  const one = new Client(a.origin);
  await one.signIn({ id }, ONLY_ACCOUNT);
  const two = new Client(b.origin);
  await two.signIn({ id }, ONLY_ACCOUNT);
  const copy = new Map(one.cookies);
  expect((await on(b, one).request("POST", "/api/auth/logout")).status).toBe(200);
  const stolen = new Client(a.origin);
  stolen.cookies = copy;
  expect((await stolen.get("/api/me")).status).toBe(401);
  expect((await on(a, two).get("/api/me")).status).toBe(200);
  checks += 1;

  const three = new Client(b.origin);
  await three.signIn({ id }, ONLY_ACCOUNT);
  expect((await on(a, two).request("POST", "/api/auth/logout?everywhere=1")).status).toBe(200);
  expect((await on(b, three).get("/api/me")).status).toBe(401);
  expect((await on(a, three).get("/api/me")).status).toBe(401);
  checks += 1;
});

it("the rate limits are one budget across both instances, stored without the address", async () => {
  const address = "198.51.100.123";
  const bad = () => ({ ...signedPayload({ id: freshId() }), first_name: "tampered" });
  for (let i = 0; i < 10; i++) {
    const app = i % 2 ? b : a;
    expect(
      (
        await new Client(app.origin).request("POST", "/api/auth/telegram", {
          json: bad(),
          headers: { "x-forwarded-for": address },
        })
      ).status,
    ).toBe(401);
  }
  for (const app of [a, b]) {
    const res = await new Client(app.origin).request("POST", "/api/auth/telegram", {
      json: bad(),
      headers: { "x-forwarded-for": address },
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    checks += 1;
  }
  const keys = await query<{ key: string }>(a, "SELECT key FROM rate_limits");
  expect(keys.length).toBeGreaterThan(0);
  for (const { key } of keys) expect(key).not.toContain(address);
});
