// Issue 14 item 9 in Chromium: a demo that shows the whole product. The personas say which fields
// each one has; an admin persona opens the report and fills it with synthetic people (the report's
// "last checked" line then current); a simulated phone-sharing step stores the number through the
// real server code, encrypted like the real path, and only under a granted phone purpose.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { blindIndex } from "../lib/crypto/fields";
import { Client } from "../tests/support/client";
import { counterMismatches } from "../tests/support/consistency";
import { countRows, query, rawDatabaseBytes } from "../tests/support/inspect";
import { demoSignIn, expect, expectNoSeriousAxe, testWithDemo } from "./fixtures";

const test = testWithDemo("e2e-demo-all");

test("the home page explains each persona's fields and how to become admin", async ({ demo, page }) => {
  await page.goto(demo.origin);
  const personas = page.getByRole("list", { name: "Demo personas" });
  await expect(personas.getByRole("listitem")).toHaveCount(4);
  await expect(page.getByRole("button", { name: "Demo sign-in as Ada" })).toHaveAccessibleDescription(
    "Ada Lovelace: first name, last name, username, profile photo.",
  );
  await expect(page.getByRole("button", { name: "Demo sign-in as Grace" })).toHaveAccessibleDescription(
    "Grace Hopper: first name, last name, profile photo. No username.",
  );
  await expect(page.getByRole("button", { name: "Demo sign-in as Alan" })).toHaveAccessibleDescription(
    "Alan: first name. No last name, username or profile photo.",
  );
  await expect(page.getByRole("button", { name: "Demo sign-in as Margaret" })).toHaveAccessibleDescription(
    "Margaret Hamilton: first name, last name, username. No profile photo. The demo's admin: she can open the admin report.",
  );
  await expect(page.getByText("To see the admin report, sign in as Margaret")).toBeVisible();
  await expectNoSeriousAxe(page);
});

test("the admin persona fills the report with 500 synthetic people; the consent check is then current", async ({
  demo,
  page,
}) => {
  await demoSignIn(page, demo, "Margaret");
  await page.getByRole("link", { name: "Admin report" }).click();
  await expect(page.getByRole("heading", { name: "Data-minimization report" })).toBeVisible();
  const before = await query<{ n: number }>(demo, "SELECT COUNT(*) AS n FROM job_runs WHERE job = 'consent_check'");

  await page.getByRole("button", { name: "Add 500 synthetic people" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added 500 synthetic people" })).toBeVisible({
    timeout: 120_000,
  });
  await expect(page.getByTestId("synthetic-people")).toHaveText(
    "This database holds 500 synthetic people (made by the seed, not real sign-ups); every count in this report includes them.",
  );

  // The database: 500 people exactly as the seed writes them (an account, or a counted erasure),
  // their values encrypted, and a consent check that ran after them and looked at every value.
  const [users] = await query<{ n: number }>(demo, "SELECT COUNT(*) AS n FROM users");
  const [erasures] = await query<{ value: number }>(demo, "SELECT value FROM counters WHERE name = 'erasures'");
  expect(Number(users!.n) + Number(erasures?.value ?? 0)).toBe(501);
  const [synthetic] = await query<{ value: number }>(
    demo,
    "SELECT value FROM counters WHERE name = 'synthetic_people'",
  );
  expect(Number(synthetic!.value)).toBe(500);
  // Every synthetic value contains the seed's tag ("Ada-synthetic12", "synthetic_user_12"); none is in clear.
  const bytes = await rawDatabaseBytes(demo);
  for (const plain of ["-synthetic", "synthetic_user_", "userpic/320/synthetic"])
    expect(bytes.includes(Buffer.from(plain)), plain).toBe(false);
  expect(await counterMismatches(demo)).toEqual([]);
  const [values] = await query<{ n: number }>(demo, "SELECT COUNT(*) AS n FROM user_fields");
  const runs = await query<{ started_at: string | Date; result: string }>(
    demo,
    "SELECT started_at, result FROM job_runs WHERE job = 'consent_check' AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
  );
  expect(
    (await query<{ n: number }>(demo, "SELECT COUNT(*) AS n FROM job_runs WHERE job = 'consent_check'"))[0]!.n,
  ).toBeGreaterThan(Number(before[0]!.n));
  const checkedAt = new Date(runs[0]!.started_at);
  expect(JSON.parse(runs[0]!.result).valuesChecked).toBe(Number(values!.n));
  // What the admin sees is that same run, without a reload.
  await expect(page.getByTestId("consent-check")).toContainText(checkedAt.toISOString().slice(0, 16).replace("T", " "));
  await expect(page.getByTestId("violations")).toHaveText("0 (none)");
  await expectNoSeriousAxe(page);

  // Another persona is no admin.
  await demoSignIn(page, demo, "Alan");
  await expect(page.getByRole("link", { name: "Admin report" })).toHaveCount(0);
  expect((await page.goto(`${demo.origin}/admin`))!.status()).toBe(403);
});

test("the simulated phone sharing stores the number like the real path, and only under a phone purpose", async ({
  demo,
  page,
}) => {
  const key = JSON.parse(readFileSync(join(demo.db.dir, "local-secrets.json"), "utf8")) as { blind: string };
  const blindKey = Buffer.from(demo.env.BLIND_INDEX_KEY ?? key.blind, "base64");
  const phoneRows = () =>
    query<{ user_id: string; ciphertext: Uint8Array; blind_index: string }>(
      demo,
      "SELECT user_id, ciphertext, blind_index FROM user_fields WHERE field = 'phone_number'",
    );
  const earlier = new Set((await phoneRows()).map((r) => r.user_id));
  const before = earlier.size;

  // Grace has no phone purpose: the step is offered nowhere, and sending it anyway stores nothing.
  await demoSignIn(page, demo, "Grace");
  await expect(page.getByRole("link", { name: /demo phone number/ })).toHaveCount(0);
  await page.goto(`${demo.origin}/demo/phone`);
  await expect(page.getByRole("heading", { name: "Share a phone number (demo)" })).toBeVisible();
  await page.getByRole("button", { name: "Share +61 491 570 007 (simulated)" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "You have not agreed to a purpose that uses your phone number, so nothing was stored.",
  );
  expect((await phoneRows()).length).toBe(before);
  expect(await countRows(demo, "audit_events", "type = 'phone.stored'")).toBe(0);

  // Ada grants "Contact you by phone", then shares through the simulation.
  await demoSignIn(page, demo, "Ada", ["Contact you by phone"]);
  await page.getByRole("link", { name: "Share a demo phone number (simulated)" }).click();
  await expect(page.getByRole("note").filter({ hasText: "Simulated" })).toContainText("No Telegram is involved");
  await expectNoSeriousAxe(page);
  await page.getByRole("button", { name: "Share +61 491 570 006 (simulated)" }).click();
  await expect(page).toHaveURL(/\/settings(\?phone=saved)?$/);
  await expect(page.getByRole("status").filter({ hasText: "phone number" })).toBeVisible();
  await expect(page.getByTestId("stored-phone_contact")).toContainText("+61 491 570 006");

  // Stored as the real path stores it: encrypted under a key id, blind-indexed with the keyed HMAC.
  const rows = await phoneRows();
  expect(rows.length).toBe(before + 1);
  const row = rows.find((r) => !earlier.has(r.user_id))!;
  expect(Buffer.from(row.ciphertext).includes(Buffer.from("61491570006"))).toBe(false);
  expect(row.blind_index).toBe(blindIndex(blindKey, "phone_number", "+61491570006"));
  expect((await rawDatabaseBytes(demo)).includes(Buffer.from("491570006"))).toBe(false);
  expect(await countRows(demo, "audit_events", "type = 'phone.stored' AND subject_id = $1", [row.user_id])).toBe(1);

  // Withdrawing erases it, as for a real number.
  const client = new Client(demo.origin);
  for (const c of await page.context().cookies()) client.cookies.set(c.name, c.value);
  expect(
    (await client.request("PUT", "/api/me/consents", { json: { purposes: { phone_contact: false } } })).status,
  ).toBe(200);
  expect((await phoneRows()).length).toBe(before);
});

test("without JavaScript, the simulated sharing and the report filler still work as plain forms", async ({
  demo,
  page,
  browser,
}) => {
  // The persona buttons need JavaScript (they fetch a signed payload); the forms after them do not.
  await demoSignIn(page, demo, "Margaret");
  const cookies = await page.context().cookies();
  const client = new Client(demo.origin);
  for (const c of cookies) client.cookies.set(c.name, c.value);
  expect(
    (await client.request("PUT", "/api/me/consents", { json: { purposes: { phone_contact: true } } })).status,
  ).toBe(200);

  const context = await browser.newContext({ javaScriptEnabled: false });
  await context.addCookies(cookies);
  const noJs = await context.newPage();
  await noJs.goto(`${demo.origin}/settings`);
  await noJs.getByRole("link", { name: "Share a demo phone number (simulated)" }).click();
  await noJs.getByRole("button", { name: "Share +61 491 570 009 (simulated)" }).click();
  await expect(noJs).toHaveURL(/\/settings\?phone=saved$/);
  await expect(noJs.getByTestId("stored-phone_contact")).toContainText("+61 491 570 009");

  const [before] = await query<{ value: number }>(demo, "SELECT value FROM counters WHERE name = 'synthetic_people'");
  await noJs.goto(`${demo.origin}/admin`);
  await noJs.getByRole("button", { name: "Add 500 synthetic people" }).click();
  await expect(noJs.getByRole("status").filter({ hasText: "Added 500 synthetic people" })).toBeVisible({
    timeout: 120_000,
  });
  const [after] = await query<{ value: number }>(demo, "SELECT value FROM counters WHERE name = 'synthetic_people'");
  expect(Number(after!.value)).toBe(Number(before?.value ?? 0) + 500);
  await expect(noJs.getByTestId("synthetic-people")).toContainText(`holds ${Number(after!.value)} synthetic people`);
  await context.close();
});
