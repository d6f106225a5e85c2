// Demo mode's guards, through the production build (issue 13 item 6, issue 14 item 9): the demo runs
// only on a server that listens on loopback alone, refuses a request a proxy forwarded from another
// address, and everything it adds (the persona sign-in, the admin persona, the simulated phone
// sharing) is refused on a server that is not in demo mode. Asserts what the database holds.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, EVERYTHING } from "./support/client";
import { freshDatabase } from "./support/databases";
import { countRows } from "./support/inspect";
import { startApp, type TestApp } from "./support/server";

const DEMO = { DEMO_MODE: "1" };
// The demo's admin persona (lib/core/demo-personas.ts); an admin only inside demo mode.
const DEMO_ADMIN_ID = "100000004";

/** Starts a demo server that is expected to refuse to run; returns what it printed. */
async function refusedStart(
  label: string,
  opts: { host?: string | null; env?: Record<string, string> },
): Promise<string> {
  const db = await freshDatabase(label, "sqlite");
  const started = await startApp({ label, env: { ...DEMO, ...opts.env }, db, host: opts.host }).catch((e: Error) => e);
  if (!(started instanceof Error)) await started.stop();
  expect(started).toBeInstanceOf(Error);
  expect((started as Error).message).toMatch(/exited with code 1/);
  const log = readdirSync(db.dir).find((f) => f.startsWith("server-"))!;
  return readFileSync(join(db.dir, log), "utf8");
}

describe("demo mode listens on loopback only", () => {
  it("refuses to start when bound to 0.0.0.0", async () => {
    expect(await refusedStart("demo-any", { host: "0.0.0.0" })).toMatch(
      /DEMO_MODE: the demo listens on loopback only.*0\.0\.0\.0/,
    );
  });

  it("refuses to start without -H (next start then listens on every interface)", async () => {
    expect(await refusedStart("demo-noh", { host: null })).toMatch(/DEMO_MODE: the demo listens on loopback only/);
  });

  describe("bound to 127.0.0.1", () => {
    let app: TestApp;
    beforeAll(async () => {
      // Ada listed as an admin: demo mode must not read ADMIN_TELEGRAM_IDS.
      app = await startApp({
        label: "demo-lo",
        env: { ...DEMO, ADMIN_TELEGRAM_IDS: "100000001" },
        db: await freshDatabase("demo-lo", "sqlite"),
        host: "127.0.0.1",
      });
    });
    afterAll(async () => {
      await app?.stop();
      await app?.db.drop();
    });

    it("signs in a persona through the real callback", async () => {
      const c = new Client(app.origin);
      const res = await c.request("POST", "/api/demo/sign-in", { json: { persona: "ada" } });
      expect(res.status).toBe(200);
      const signIn = await c.request("POST", "/api/auth/telegram", { json: await res.json() });
      expect(await signIn.json()).toEqual({ next: "/consent" });
    });

    it("makes its admin persona, and only her, an admin", async () => {
      const asPersona = async (persona: string) => {
        const c = new Client(app.origin);
        const payload = await (await c.request("POST", "/api/demo/sign-in", { json: { persona } })).json();
        expect((await c.request("POST", "/api/auth/telegram", { json: payload })).status).toBe(200);
        expect((await c.request("PUT", "/api/me/consents", { json: { purposes: { account: true } } })).status).toBe(
          200,
        );
        return (await c.get("/api/admin/report")).status;
      };
      expect(await asPersona("margaret")).toBe(200);
      expect(await asPersona("grace")).toBe(403);
      // Ada signed in a moment ago (the test above), maybe in this same second: her new payload
      // must still be a new one, not a replay of the last (lib/demo/index.ts dates each after the last).
      expect(await asPersona("ada")).toBe(403);
    });

    it("signs one persona in twice within a second (a double click), both through the real callback", async () => {
      for (let i = 0; i < 2; i++) {
        const c = new Client(app.origin);
        const payload = await (await c.request("POST", "/api/demo/sign-in", { json: { persona: "alan" } })).json();
        expect((await c.request("POST", "/api/auth/telegram", { json: payload })).status).toBe(200);
      }
    });

    it("refuses a sign-in that a proxy forwarded from another address", async () => {
      const forwarded: Record<string, string>[] = [
        { "x-forwarded-for": "203.0.113.9" },
        { "x-forwarded-for": "127.0.0.1, 198.51.100.7" },
        { "x-real-ip": "198.51.100.7" },
        { forwarded: "for=198.51.100.7" },
        // Issue 25, item 5: the other names proxies and CDNs give the client's address.
        { "x-client-ip": "198.51.100.7" },
        { "true-client-ip": "198.51.100.7" },
      ];
      for (const headers of forwarded) {
        const res = await new Client(app.origin).request("POST", "/api/demo/sign-in", {
          json: { persona: "ada" },
          headers,
        });
        expect(res.status, JSON.stringify(headers)).toBe(403);
      }
    });
  });

  it("is what `npm run demo` starts", () => {
    expect(readFileSync("scripts/demo.mjs", "utf8")).toContain(`"-H", "127.0.0.1"`);
  });

  it("still refuses PostgreSQL", async () => {
    expect(
      await refusedStart("demo-pg", {
        host: "127.0.0.1",
        env: { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/postgres" },
      }),
    ).toContain("DEMO_MODE: the demo runs on SQLite only");
  });
});

describe("outside demo mode", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ label: "demo-off" });
  });
  afterAll(async () => {
    await app?.stop();
    await app?.db.drop();
  });

  it("answers 404 to the demo sign-in and the simulated phone sharing, and stores no phone", async () => {
    const c = new Client(app.origin);
    await c.signIn({ id: "620000001", first_name: "Real" }, EVERYTHING);
    expect((await c.request("POST", "/api/demo/sign-in", { json: { persona: "ada" } })).status).toBe(404);
    expect((await c.request("POST", "/api/demo/phone", { json: {} })).status).toBe(404);
    expect((await c.get("/demo/phone")).status).toBe(404);
    expect(await countRows(app, "user_fields", "field = 'phone_number'")).toBe(0);
    expect(await countRows(app, "audit_events", "type LIKE 'phone.%'")).toBe(0);
  });

  it("does not make the demo's admin persona an admin", async () => {
    const c = new Client(app.origin);
    await c.signIn({ id: DEMO_ADMIN_ID, first_name: "Margaret" });
    expect((await c.get("/api/admin/report")).status).toBe(403);
    expect((await c.get("/admin")).status).toBe(403);
  });
});
