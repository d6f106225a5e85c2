// Attacks on the sign-in itself (issue 13): a copy of the sealed pending cookie of a first sign-in
// (a second tab, a shared computer) used after its owner's decisions, and a used payload replayed
// from rotating client addresses to spend its owner's sign-in budget. Each refused attempt must
// change nothing on disk (the fingerprint of every app table) and leave its owner able to sign in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, EVERYTHING, signedPayload } from "../support/client";
import { countRows } from "../support/inspect";
import { startApp, type TestApp } from "../support/server";
import { fingerprint, recordFigure } from "./support";

let app: TestApp;
let proxied: TestApp;
let refused = 0;
let nextId = 4_400_021_000_000;
const freshId = () => String(nextId++);

beforeAll(async () => {
  // One after the other: a second freePort() could be handed the first app's port before it is bound.
  app = await startApp({ label: "sec-signin" });
  proxied = await startApp({ label: "sec-signin-proxy", env: { RATE_LIMIT_FACTOR: "1", TRUST_PROXY: "1" } });
});
afterAll(async () => {
  recordFigure("sign-in attacks refused (copied pending cookies, replays to spend a budget)", refused);
  for (const a of [app, proxied]) {
    await a?.stop();
    await a?.db.drop();
  }
});

/** A first sign-in held for consent on a new device; the device's cookie jar holds the pending cookie. */
async function pendingOn(origin: string, id: string): Promise<Client> {
  const device = new Client(origin);
  const res = await device.request("POST", "/api/auth/telegram", {
    json: signedPayload({ id, first_name: "Pendingfirst", username: `pend_${id}` }),
  });
  expect(await res.json()).toEqual({ next: "/consent" });
  return device;
}

/** Another browser holding an exact copy of `device`'s cookies. */
function copyOf(device: Client): Client {
  const copy = new Client(device.origin);
  for (const [k, v] of device.cookies) copy.cookies.set(k, v);
  return copy;
}

/** The copy tries to finish the sign-in: it must be refused, sign nobody in, and change nothing. */
async function expectRefusedFinish(copy: Client): Promise<void> {
  const before = await fingerprint(app);
  const res = await copy.request("PUT", "/api/me/consents", { json: { purposes: EVERYTHING } });
  expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect((await copy.get("/api/me")).status).toBe(401);
  expect((await fingerprint(app)).counts).toEqual(before.counts);
  expect((await fingerprint(app)).hash).toBe(before.hash);
  refused += 1;
}

describe("a copied pending sign-in", () => {
  it("is usable once: the copy of a finished pending sign-in is refused and stores nothing", async () => {
    const device = await pendingOn(app.origin, freshId());
    const copy = copyOf(device);
    expect((await device.request("PUT", "/api/me/consents", { json: { purposes: EVERYTHING } })).status).toBe(200);
    expect((await device.get("/api/me")).status).toBe(200);
    await expectRefusedFinish(copy);
    // The consent page does not offer the spent sign-in either.
    // It says that no sign-in is waiting (a page, so Back never lands on a blank one) and has no form.
    const page = await copy.get("/consent");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("No sign-in is waiting");
    // The form, not its words: every page carries the translated messages for its client components,
    // so "Save my choices" is in the HTML as data even where no form is rendered.
    expect(html).not.toContain('name="shown"');
    expect(html).not.toMatch(/<button[^>]*>Save my choices<\/button>/);
  });

  it("does not open an account whose owner has since logged out on every device", async () => {
    const id = freshId();
    // Two devices start a first sign-in; the second finishes it, then logs out everywhere.
    const first = await pendingOn(app.origin, id);
    const second = await pendingOn(app.origin, id);
    expect((await second.request("PUT", "/api/me/consents", { json: { purposes: EVERYTHING } })).status).toBe(200);
    const userId = ((await (await second.get("/api/me")).json()) as { id: string }).id;
    expect((await second.request("POST", "/api/auth/logout?everywhere=1")).status).toBe(200);
    expect(await countRows(app, "sessions", "user_id = $1", [userId])).toBe(0);
    await expectRefusedFinish(first);
    expect(await countRows(app, "sessions", "user_id = $1", [userId])).toBe(0);
    // The owner can still sign in afresh.
    const again = new Client(app.origin);
    expect(await again.signIn({ id })).toEqual({ next: "/settings" });
  });

  it("never brings back an erased account: copies made before the erasure are refused and nothing is stored", async () => {
    const id = freshId();
    const other = await pendingOn(app.origin, id);
    const device = await pendingOn(app.origin, id);
    const copy = copyOf(device);
    expect((await device.request("PUT", "/api/me/consents", { json: { purposes: EVERYTHING } })).status).toBe(200);
    const userId = ((await (await device.get("/api/me")).json()) as { id: string }).id;
    const users = await countRows(app, "users");
    expect((await device.request("DELETE", "/api/me")).status).toBe(200);
    expect(await countRows(app, "users")).toBe(users - 1);
    for (const stale of [copy, other]) {
      await expectRefusedFinish(stale);
      expect(await countRows(app, "users")).toBe(users - 1);
      expect(await countRows(app, "user_fields", "user_id = $1", [userId])).toBe(0);
    }
    // A first sign-in after the erasure is a new person again, held for consent.
    const fresh = await pendingOn(app.origin, id);
    expect((await fresh.request("PUT", "/api/me/consents", { json: { purposes: EVERYTHING } })).status).toBe(200);
  });
});

describe("a used payload replayed from rotating addresses (TRUST_PROXY=1)", () => {
  const from = (hop: string) => ({ "x-forwarded-for": hop });

  it("never spends its owner's sign-in budget: after more replays than the budget, a fresh payload signs in", async () => {
    const id = freshId();
    const payload = signedPayload({ id });
    const owner = new Client(proxied.origin);
    expect(
      (await owner.request("POST", "/api/auth/telegram", { json: payload, headers: from("198.51.100.1") })).status,
    ).toBe(200);
    expect((await owner.request("PUT", "/api/me/consents", { json: { purposes: EVERYTHING } })).status).toBe(200);
    // The account's budget is 10 sign-ins per 10 minutes (docs/decisions/007); each replay comes
    // from an address of its own, so no address limit stops them.
    for (let i = 0; i < 12; i++) {
      const res = await new Client(proxied.origin).request("POST", "/api/auth/telegram", {
        json: payload,
        headers: from(`198.51.100.${10 + i}`),
      });
      expect(res.status, `replay ${i + 1}`).toBe(401);
      refused += 1;
    }
    const fresh = await new Client(proxied.origin).request("POST", "/api/auth/telegram", {
      json: signedPayload({ id }),
      headers: from("198.51.100.99"),
    });
    expect(fresh.status).toBe(200);
    expect(await fresh.json()).toEqual({ next: "/settings" });
  });

  it("answers an address that used up its refusals with 429 before looking at the payload, which stays unused", async () => {
    const hop = "198.51.100.200";
    for (let i = 0; i < 10; i++) {
      const bad = { ...signedPayload({ id: freshId() }), first_name: "tampered" };
      expect(
        (await new Client(proxied.origin).request("POST", "/api/auth/telegram", { json: bad, headers: from(hop) }))
          .status,
      ).toBe(401);
    }
    const good = signedPayload({ id: freshId() });
    const limited = await new Client(proxied.origin).request("POST", "/api/auth/telegram", {
      json: good,
      headers: from(hop),
    });
    expect(limited.status).toBe(429);
    refused += 1;
    // Not claimed: the same payload still signs in from an address in good standing.
    expect(
      (
        await new Client(proxied.origin).request("POST", "/api/auth/telegram", {
          json: good,
          headers: from("198.51.100.201"),
        })
      ).status,
    ).toBe(200);
  });
});
