// Consent per purpose, the storage gate, encryption at rest and the ledger, through the running app.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHIPPED_PURPOSES } from "../lib/domain/purposes";
import { Client, EVERYTHING, ONLY_ACCOUNT, signedPayload } from "./support/client";
import { counterMismatches } from "./support/consistency";
import { countRows, execute, query, rawDatabaseBytes } from "./support/inspect";
import { startApp, type TestApp } from "./support/server";

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ label: "consent" });
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
});

type Me = { purposes: Record<string, { granted: boolean; needsDecision: boolean; fields: Record<string, string> }> };
let nextId = 600_000_000;

async function storedFields(userId: string): Promise<string[]> {
  return (
    await query<{ field: string }>(app, `SELECT field FROM user_fields WHERE user_id = $1 ORDER BY field`, [userId])
  ).map((r) => r.field);
}

describe("only approved fields are stored", () => {
  it("stores exactly the fields of the approved purposes, encrypted; the rest are never written", async () => {
    const c = new Client(app.origin);
    const profile = {
      id: String(nextId++),
      first_name: "Ximena",
      last_name: "Quorra",
      username: "xq_unapproved",
      photo_url: "https://t.me/i/userpic/320/unapproved.jpg",
    };
    await c.signIn(profile, { ...ONLY_ACCOUNT, display_name: true });
    const me = (await (await c.get("/api/me")).json()) as Me & { id: string };
    expect(me.purposes.display_name!.fields).toEqual({ first_name: "Ximena", last_name: "Quorra" });
    expect(me.purposes.username!.fields).toEqual({});
    expect(await storedFields(me.id)).toEqual(["first_name", "last_name", "telegram_id"]);
    const bytes = await rawDatabaseBytes(app);
    for (const value of ["Ximena", "Quorra", "xq_unapproved", "unapproved.jpg", profile.id])
      expect(bytes.includes(value)).toBe(false);
    // Ciphertext, not plaintext, is what the table holds.
    const rows = await query<{ ciphertext: Uint8Array }>(app, `SELECT ciphertext FROM user_fields WHERE user_id = $1`, [
      me.id,
    ]);
    for (const r of rows) expect(Buffer.from(r.ciphertext).toString("utf8")).not.toMatch(/Ximena|Quorra/);
  });

  it("refreshes covered fields at each sign-in and drops the rest (counted, not stored)", async () => {
    const c = new Client(app.origin);
    const id = String(nextId++);
    await c.signIn({ id, first_name: "Old" }, { ...ONLY_ACCOUNT, display_name: true });
    const dropsBefore = Number(
      (await query<{ value: number }>(app, `SELECT value FROM counters WHERE name = 'dropped_writes'`))[0]?.value ?? 0,
    );
    const again = new Client(app.origin);
    expect(
      (
        await again.request("POST", "/api/auth/telegram", {
          json: signedPayload({ id, first_name: "New", username: "never_kept" }),
        })
      ).status,
    ).toBe(200);
    const me = (await (await again.get("/api/me")).json()) as Me & { id: string };
    expect(me.purposes.display_name!.fields.first_name).toBe("New");
    expect(await storedFields(me.id)).toEqual(["first_name", "telegram_id"]);
    const dropsAfter = Number(
      (await query<{ value: number }>(app, `SELECT value FROM counters WHERE name = 'dropped_writes'`))[0]!.value,
    );
    expect(dropsAfter).toBe(dropsBefore + 1);
  });

  it("stores a covered field first sent at a later sign-in, and the counters still equal a recount", async () => {
    const c = new Client(app.origin);
    const id = String(nextId++);
    await c.signIn({ id, first_name: "First" }, { ...ONLY_ACCOUNT, display_name: true });
    const again = new Client(app.origin);
    expect(
      (
        await again.request("POST", "/api/auth/telegram", {
          json: signedPayload({ id, first_name: "First", last_name: "Later", username: "not_covered" }),
        })
      ).status,
    ).toBe(200);
    const me = (await (await again.get("/api/me")).json()) as Me & { id: string };
    expect(await storedFields(me.id)).toEqual(["first_name", "last_name", "telegram_id"]);
    expect(await counterMismatches(app)).toEqual([]);
  });

  it("refuses to create an account unless the account purpose is granted explicitly, storing nothing", async () => {
    const c = new Client(app.origin);
    const users = await countRows(app, "users");
    expect(
      (
        await c.request("POST", "/api/auth/telegram", {
          json: signedPayload({ id: String(nextId++), first_name: "Nobody" }),
        })
      ).status,
    ).toBe(200);
    const res = await c.request("PUT", "/api/me/consents", { json: { purposes: { display_name: true } } });
    expect(res.status).toBe(400);
    expect(await countRows(app, "users")).toBe(users);
  });

  it("PUT /api/me/consents shares the page's use case: no sign-in waiting is a 401 and stores nothing; a first sign-in finishes once", async () => {
    const users = await countRows(app, "users");
    const nobody = new Client(app.origin);
    const refused = await nobody.request("PUT", "/api/me/consents", { json: { purposes: { account: true } } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: "Sign in first." });
    expect(await countRows(app, "users")).toBe(users);
    const c = new Client(app.origin);
    expect(
      (
        await c.request("POST", "/api/auth/telegram", {
          json: signedPayload({ id: String(nextId++), first_name: "Una" }),
        })
      ).status,
    ).toBe(200);
    const created = await c.request("PUT", "/api/me/consents", {
      json: { purposes: { account: true, display_name: true } },
    });
    expect(await created.json()).toEqual({ created: true, next: "/settings" });
    // Signed in now: the same request changes nothing more, and says so.
    const again = await c.request("PUT", "/api/me/consents", {
      json: { purposes: { account: true, display_name: true } },
    });
    expect(await again.json()).toEqual({ changed: [], erased: [] });
    expect(await countRows(app, "users")).toBe(users + 1);
    const me = (await (await c.get("/api/me")).json()) as { id: string };
    const methods = await query<{ method: string }>(
      app,
      "SELECT DISTINCT method FROM consent_records WHERE subject_id = $1",
      [me.id],
    );
    expect(methods.map((m) => m.method)).toEqual(["api"]);
  });

  it("cannot store an unapproved field through the API: unknown purposes and shapes are refused", async () => {
    const c = new Client(app.origin);
    await c.signIn({ id: String(nextId++) });
    const me = (await (await c.get("/api/me")).json()) as { id: string };
    for (const body of [
      { purposes: { phone: true } },
      { purposes: { account: false } },
      { purposes: {}, fields: { phone_number: "+15550000" } },
      { purposes: { display_name: "yes" } },
    ]) {
      const res = await c.request("PUT", "/api/me/consents", { json: body });
      expect(res.status).toBe(400);
    }
    expect(await storedFields(me.id)).toEqual(["telegram_id"]);
  });

  it("withdrawing erases what only that purpose covered, in the same request", async () => {
    const c = new Client(app.origin);
    await c.signIn({ id: String(nextId++), first_name: "Wanda", username: "wanda_w" }, EVERYTHING);
    const me = (await (await c.get("/api/me")).json()) as { id: string };
    expect(await storedFields(me.id)).toEqual(["first_name", "telegram_id", "username"]);
    const res = await c.request("PUT", "/api/me/consents", { json: { purposes: { username: false } } });
    expect(await res.json()).toMatchObject({ erased: ["username"] });
    expect(await storedFields(me.id)).toEqual(["first_name", "telegram_id"]);
  });
});

describe("the consent ledger", () => {
  it("records each decision with version, text hash, fields and method, and verifies", async () => {
    const c = new Client(app.origin);
    await c.signIn({ id: String(nextId++) }, { ...ONLY_ACCOUNT, profile_photo: true });
    const me = (await (await c.get("/api/me")).json()) as { id: string };
    const rows = await query<{
      purpose_id: string;
      decision: string;
      method: string;
      fields: string;
      text_hash: string;
    }>(
      app,
      `SELECT purpose_id, decision, method, fields, text_hash FROM consent_records WHERE subject_id = $1 ORDER BY seq`,
      [me.id],
    );
    expect(rows.map((r) => [r.purpose_id, r.decision, r.method])).toEqual([
      ["account", "granted", "api"],
      // Never granted before: a no declines (a "withdrawn" needs a grant to withdraw).
      ["display_name", "declined", "api"],
      ["username", "declined", "api"],
      ["profile_photo", "granted", "api"],
      ["phone_contact", "declined", "api"],
      ["phone_verification", "declined", "api"],
    ]);
    expect(JSON.parse(rows[3]!.fields)).toEqual(["photo_url"]);
    expect(rows[0]!.text_hash).toMatch(/^[0-9a-f]{64}$/);
    const out = execFileSync("npm", ["run", "-s", "ledger:verify"], {
      env: { ...app.env, NODE_ENV: "production" },
      encoding: "utf8",
    });
    expect(out).toMatch(/ledger intact: \d+ records/);
  });

  it("ledger:verify detects an edited record and a removed last record", async () => {
    const verify = () => {
      try {
        execFileSync("npm", ["run", "-s", "ledger:verify"], {
          env: { ...app.env, NODE_ENV: "production" },
          encoding: "utf8",
          stdio: "pipe",
        });
        return "ok";
      } catch (e) {
        return String((e as { stderr: string }).stderr);
      }
    };
    expect(verify()).toBe("ok");
    const [{ seq }] = (await query<{ seq: number }>(
      app,
      `SELECT MIN(seq) AS seq FROM consent_records WHERE decision = 'declined'`,
    )) as [{ seq: number }];
    await execute(app, `UPDATE consent_records SET decision = 'granted' WHERE seq = $1`, [seq]);
    expect(verify()).toMatch(new RegExp(`TAMPERED at record ${seq}: record content does not match`));
    await execute(app, `UPDATE consent_records SET decision = 'declined' WHERE seq = $1`, [seq]);
    expect(verify()).toBe("ok");
    const [{ max }] = (await query<{ max: number }>(app, `SELECT MAX(seq) AS max FROM consent_records`)) as [
      { max: number },
    ];
    const last = (await query<Record<string, unknown>>(app, `SELECT * FROM consent_records WHERE seq = $1`, [max]))[0]!;
    await execute(app, `DELETE FROM consent_records WHERE seq = $1`, [max]);
    expect(verify()).toMatch(/records removed from the end/);
    const cols = Object.keys(last);
    await execute(
      app,
      `INSERT INTO consent_records (${cols.join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})`,
      Object.values(last),
    );
    expect(verify()).toBe("ok");
  });
});

describe("a change of purpose text", () => {
  it("asks again for the changed purpose only", async () => {
    const c = new Client(app.origin);
    const id = String(nextId++);
    await c.signIn({ id, first_name: "Rita" }, { ...ONLY_ACCOUNT, display_name: true, username: true });
    // The operator rewords one purpose and restarts.
    const purposes = Object.entries(SHIPPED_PURPOSES).map(([pid, p]) => ({
      id: pid,
      ...p,
      fields: [...p.fields],
      texts:
        pid === "display_name"
          ? {
              ...p.texts,
              en: { ...p.texts.en, justification: `${p.texts.en.justification} We also show it in emails.` },
            }
          : p.texts,
    }));
    const file = join(app.db.dir, "purposes.json");
    writeFileSync(file, JSON.stringify(purposes));
    await app.stop();
    const reworded = await startApp({
      label: "consent-reworded",
      db: app.db,
      secrets: pick(app.env),
      env: { PURPOSES_FILE: file },
    });
    try {
      const again = new Client(reworded.origin);
      const res = await again.request("POST", "/api/auth/telegram", {
        json: signedPayload({ id, first_name: "Rita" }),
      });
      expect(await res.json()).toEqual({ next: "/consent" });
      const me = (await (await again.get("/api/me")).json()) as Me;
      const asked = Object.entries(me.purposes)
        .filter(([, v]) => v.needsDecision)
        .map(([k]) => k);
      expect(asked).toEqual(["display_name"]);
      // Until re-decided, the old consent is not used for new writes, and the stored value is kept.
      expect(me.purposes.display_name!.fields).toEqual({ first_name: "Rita" });
      await again.request("PUT", "/api/me/consents", { json: { purposes: { display_name: true } } });
      const after = (await (await again.get("/api/me")).json()) as Me;
      expect(Object.values(after.purposes).some((v) => v.needsDecision)).toBe(false);
    } finally {
      await reworded.stop();
      app = await startApp({ label: "consent", db: app.db, secrets: pick(app.env) });
    }
  });

  it("refuses to start with a bad catalogue entry, naming it", async () => {
    const file = join(app.db.dir, "bad-purposes.json");
    writeFileSync(
      file,
      JSON.stringify([
        {
          id: "account",
          title: "Account",
          justification: "We need it for the account.",
          ifRefused: "No account.",
          fields: ["telegram_id", "shoe_size"],
          required: true,
          retentionDays: 30,
        },
      ]),
    );
    await expect(
      startApp({ label: "bad-catalogue", db: app.db, secrets: pick(app.env), env: { PURPOSES_FILE: file } }),
    ).rejects.toThrow(/exited with code 1/);
  });
});

function pick(env: Record<string, string>) {
  const keys = [
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_BOT_USERNAME",
    "SESSION_SECRET",
    "FIELD_ENCRYPTION_KEY",
    "BLIND_INDEX_KEY",
  ];
  return Object.fromEntries(keys.map((k) => [k, env[k]!]));
}
