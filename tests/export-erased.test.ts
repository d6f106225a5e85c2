// The export takes the session's account row and does not read the account again, so an erasure
// that commits between the session check and the export's audit record must not leave that record
// behind: erasure deletes a person's events, and one written after it would outlive the account it
// names. recordEventWhileAccount writes the event only while the account exists, in one statement,
// and the export refuses to answer without it (lib/use-cases/account.ts). The window is too narrow
// to hit through the server every time, so the statement is run here, in this process, against the
// running app's database (as consent-check.test.ts does).
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client, ONLY_ACCOUNT } from "./support/client";
import { countRows } from "./support/inspect";
import { startAppForThisProcess, stopAppForThisProcess, type TestApp } from "./support/server";

let app: TestApp;

beforeAll(async () => {
  app = await startAppForThisProcess({ label: "exporterased" });
});

afterAll(async () => {
  await stopAppForThisProcess(app);
});

it("records an export only while the account exists: nothing of an erased account is left behind", async () => {
  const { recordEventWhileAccount } = await import("../lib/data/audit");
  const c = new Client(app.origin);
  // Synthetic values only.
  await c.signIn({ id: "813000001", first_name: "Erin", username: "erin_export" }, ONLY_ACCOUNT);
  const id = ((await (await c.get("/api/me")).json()) as { id: string }).id;
  const exports = () => countRows(app, "audit_events", `subject_id = $1 AND type = 'data.exported'`, [id]);

  expect((await c.get("/api/me/export")).status).toBe(200);
  expect(await exports()).toBe(1);
  expect(await recordEventWhileAccount("data.exported", id)).toBe(true);
  expect(await exports()).toBe(2);

  expect((await c.request("DELETE", "/api/me")).status).toBe(200);
  expect(await countRows(app, "audit_events", "subject_id = $1", [id])).toBe(0);
  // What an export whose session was read just before the erasure would write now.
  expect(await recordEventWhileAccount("data.exported", id)).toBe(false);
  expect(await countRows(app, "audit_events", "subject_id = $1", [id])).toBe(0);
});

it("the printable export (which reads no events) records its view as the JSON does, and the JSON keeps its events", async () => {
  const c = new Client(app.origin);
  // Synthetic values only.
  await c.signIn({ id: "813000003", first_name: "Pia", username: "pia_print" }, ONLY_ACCOUNT);
  const id = ((await (await c.get("/api/me")).json()) as { id: string }).id;
  const exports = () => countRows(app, "audit_events", `subject_id = $1 AND type = 'data.exported'`, [id]);

  const page = await c.get("/settings/export");
  expect(page.status).toBe(200);
  expect(await exports()).toBe(1);

  const json = (await (await c.get("/api/me/export")).json()) as { events: { type: string }[] };
  // The whole export keeps its shape: the events between the records kept and the receipt.
  expect(Object.keys(json)).toEqual([
    "format",
    "exportedAt",
    "controller",
    "account",
    "purposes",
    "consentHistory",
    "recordsKept",
    "events",
    "receipt",
  ]);
  // The page's view is listed; the JSON's own is recorded after it was read.
  expect(json.events.filter((e) => e.type === "data.exported")).toHaveLength(1);
  expect(await exports()).toBe(2);
});
