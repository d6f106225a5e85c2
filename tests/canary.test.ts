// No plaintext personal value in the database files (SQLite main file and -wal, or a PostgreSQL
// dump) or in the logs: users sign up with unusual canary values through every public path, then
// the raw bytes are searched, in the encodings a value could take on disk.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client, EVERYTHING, signedPayload } from "./support/client";
import { rawDatabaseBytes } from "./support/inspect";
import { startApp, type TestApp } from "./support/server";

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ label: "canary", env: { LOG_LEVEL: "debug" } });
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
});

const canaries = Array.from({ length: 4 }, (_, i) => ({
  id: String(4_400_000_000_000 + i * 7919),
  first_name: `Qzvcanaryfirst${i}ß`,
  last_name: `Jxwcanarylast${i}Ω`,
  username: `zz_canary_user_${i}`,
  photo_url: `https://t.me/i/userpic/320/zzcanaryphoto${i}.jpg`,
}));

function encodings(value: string): Buffer[] {
  return [Buffer.from(value, "utf8"), Buffer.from(value, "utf16le"), Buffer.from(Buffer.from(value).toString("base64")), Buffer.from(Buffer.from(value).toString("hex"))];
}

it("finds no canary in the database files or the logs after a full journey", async () => {
  for (const [i, profile] of canaries.entries()) {
    const c = new Client(app.origin);
    await c.signIn(profile, EVERYTHING);
    // Sign in again (refresh path), narrow, widen, export: every path that touches the values.
    await new Client(app.origin).request("POST", "/api/auth/telegram", { json: signedPayload(profile) });
    await c.request("PUT", "/api/me/consents", { json: { purposes: { username: false } } });
    await c.request("PUT", "/api/me/consents", { json: { purposes: { username: true } } });
    expect((await c.get("/api/me/export")).status).toBe(200);
    // A refused payload carrying the canary too.
    await new Client(app.origin).request("POST", "/api/auth/telegram", { json: { ...signedPayload(profile), first_name: `${profile.first_name}x` } });
    if (i === canaries.length - 1) {
      // The owner does see their own values: the canaries are real data, not placeholders.
      const me = (await (await c.get("/api/me")).json()) as { purposes: { display_name: { fields: Record<string, string> } } };
      expect(me.purposes.display_name.fields.first_name).toBe(profile.first_name);
    }
  }
  const db = await rawDatabaseBytes(app);
  const logs = readFileSync(app.logFile);
  expect(db.length).toBeGreaterThan(10_000);
  expect(logs.length).toBeGreaterThan(1_000);
  const hits: string[] = [];
  for (const p of canaries) {
    for (const value of [p.id, p.first_name, p.last_name, p.username, p.photo_url, "zzcanaryphoto"]) {
      for (const enc of encodings(value)) {
        if (db.includes(enc)) hits.push(`db: ${value}`);
        if (logs.includes(enc)) hits.push(`log: ${value}`);
      }
    }
  }
  expect(hits).toEqual([]);
});
