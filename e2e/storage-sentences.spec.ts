// Issue 22: every sentence a page says about storage is checked against the database. The list, and
// where each is checked (this file unless named):
//   "We keep N of M fields, for K purposes" (settings) ........... promises.spec.ts item 5
//   "Nothing." under "Stored now" (settings) ...................... truth.spec.ts 1, and below
//   "deleted on <date> unless refreshed" (settings, the copy) ..... below: the date is the purge's
//   "Nothing stored under this purpose." (the copy) ............... below
//   "Below is exactly what we keep." (settings, welcome) .......... below: the listed fields are the rows
//   "Withdrawn: …. Erased now: …" ................................. truth.spec.ts 1
//   "Withdrawn: …. Nothing was stored under it." .................. below
//   "Granted: …. Nothing is stored until you share your number" ... below
//   "Nothing about you is stored yet" / "sent no …: nothing to keep" (consent) truth.spec.ts 2
//   "Sign-in cancelled. Nothing was stored" (home) ................ truth.spec.ts 7
//   "Values are encrypted with AES-256-GCM" / "encrypted at rest" . below (no value in the file in clear)
//   "what remains holds nothing that identifies you" (delete) ..... below
//   "Verified on <date>. Nothing else is kept." / "Checked on <date>; nothing else is kept." /
//   "We noted the date only, not the number." ..................... promises-demo.spec.ts ('only the date')
//   "Your phone number … is saved, encrypted." .................... demo.spec.ts, phone.spec.ts item 13
// The delete page's sentence about backups belongs to the backup work and is not checked here.
import { execFileSync } from "node:child_process";
import type { Page } from "@playwright/test";
import { EVERYTHING, ONLY_ACCOUNT } from "../tests/support/client";
import { countRows, execute, query, rawDatabaseBytes } from "../tests/support/inspect";
import { expect, testWithApp } from "./fixtures";

const test = testWithApp({ label: "e2e-storage-sentences" });
const card = (page: Page, title: string) => page.getByRole("region", { name: title });
const DAY = 86_400_000;
const when = (v: unknown) => new Date(v instanceof Date ? v : String(v));

test("'deleted on <date> unless refreshed' is the date the purge erases the value; then 'Nothing.'", async ({
  app,
  page,
  person,
}) => {
  const { client, userId } = await person(
    { first_name: "Rita", last_name: "Retention" },
    { ...ONLY_ACCOUNT, display_name: true },
  );
  const me = (await (await client.get("/api/me")).json()) as {
    purposes: Record<string, { retentionDays: number }>;
  };
  const days = me.purposes.display_name!.retentionDays;
  const [row] = await query<{ updated_at: unknown }>(
    app,
    "SELECT updated_at FROM user_fields WHERE user_id = $1 AND field = 'first_name'",
    [userId],
  );
  const due = new Date(when(row!.updated_at).getTime() + days * DAY).toISOString();
  await page.goto(`${app.origin}/settings`);
  const name = card(page, "Greet you by name");
  await expect(name.getByTestId("stored-display_name").locator("time").first()).toHaveAttribute("datetime", due);
  await page.goto(`${app.origin}/settings/export`);
  await expect(page.getByTestId("copy-first_name").locator("time").last()).toHaveAttribute("datetime", due);

  // A day past that date the purge erases it, and the page says so.
  const past = new Date(Date.now() - (days + 1) * DAY);
  const stamp =
    app.db.kind === "sqlite"
      ? past.toISOString().replace("Z", "+00:00")
      : past.toISOString().replace("T", " ").replace("Z", "");
  await execute(
    app,
    "UPDATE user_fields SET updated_at = $1 WHERE user_id = $2 AND field IN ('first_name', 'last_name')",
    [stamp, userId],
  );
  execFileSync("npm", ["run", "-s", "purge"], { env: { ...app.env, NODE_ENV: "production" }, encoding: "utf8" });
  expect(await countRows(app, "user_fields", "user_id = $1 AND field IN ('first_name', 'last_name')", [userId])).toBe(
    0,
  );
  await page.goto(`${app.origin}/settings`);
  await expect(card(page, "Greet you by name").getByTestId("stored-display_name")).toHaveText("Nothing.");
});

test("'Below is exactly what we keep': the fields listed are the rows; 'Nothing stored under this purpose' has none; no value in clear", async ({
  app,
  page,
  person,
}) => {
  const { userId } = await person(
    { first_name: "Xenia", last_name: "Exact", username: "xenia_exact" },
    { ...ONLY_ACCOUNT, display_name: true, username: true },
  );
  await page.goto(`${app.origin}/settings?welcome=1`);
  await expect(page.getByText("Below is exactly what we keep.", { exact: false })).toBeVisible();
  const rows = (await query<{ field: string }>(app, "SELECT field FROM user_fields WHERE user_id = $1", [userId]))
    .map((r) => r.field)
    .sort();
  const listed = await page.locator("[data-testid^=stored-] dt").allTextContents();
  const labels: Record<string, string> = {
    "Telegram user id": "telegram_id",
    "First name": "first_name",
    "Last name": "last_name",
    "Telegram username": "username",
    "Profile photo link": "photo_url",
    "Phone number": "phone_number",
  };
  expect(listed.map((l) => labels[l.trim()]).sort()).toEqual(rows);
  await page.goto(`${app.origin}/settings/export`);
  for (const [title, field] of [
    ["Show your profile photo", "photo_url"],
    ["Contact you by phone", "phone_number"],
  ] as const) {
    await expect(page.getByRole("region", { name: title })).toContainText("Nothing stored under this purpose.");
    expect(await countRows(app, "user_fields", "user_id = $1 AND field = $2", [userId, field])).toBe(0);
  }
  // "Values are encrypted": none of them is in the database file in clear.
  const bytes = await rawDatabaseBytes(app);
  for (const v of ["Xenia", "Exact", "xenia_exact"]) expect(bytes.includes(Buffer.from(v))).toBe(false);
});

test("'Nothing was stored under it' and 'Nothing is stored until you share your number' hold in the database", async ({
  app,
  page,
  person,
}) => {
  const { userId } = await person({ first_name: "Nell" }, ONLY_ACCOUNT);
  const fields = () => countRows(app, "user_fields", "user_id = $1", [userId]);
  const before = await fields();
  await page.goto(`${app.origin}/settings`);
  const phone = card(page, "Contact you by phone");
  await phone.getByRole("button", { name: "Grant “Contact you by phone”" }).click();
  await expect(phone.getByRole("status")).toContainText("Nothing is stored until you share your number");
  expect(await fields()).toBe(before);
  await phone.getByRole("button", { name: "Withdraw “Contact you by phone”" }).click();
  await expect(phone.getByRole("status")).toContainText("Nothing was stored under it.");
  expect(await fields()).toBe(before);
});

test("after deletion 'what remains holds nothing that identifies you': no user, no value, only the random id's records", async ({
  app,
  page,
  person,
}) => {
  const { userId } = await person({ first_name: "Gwen", last_name: "Gone", username: "gwen_gone" }, EVERYTHING);
  await page.goto(`${app.origin}/settings/delete`);
  await expect(page.getByText("what remains holds nothing that identifies you", { exact: false })).toBeVisible();
  await page.getByRole("button", { name: "Yes, delete everything" }).click();
  await expect(page.getByText("Your data has been deleted")).toBeVisible();
  expect(await countRows(app, "users", "id = $1", [userId])).toBe(0);
  expect(await countRows(app, "user_fields", "user_id = $1", [userId])).toBe(0);
  expect(await countRows(app, "consent_records", "subject_id = $1", [userId])).toBeGreaterThan(0);
  const bytes = await rawDatabaseBytes(app);
  for (const v of ["Gwen", "gwen_gone"]) expect(bytes.includes(Buffer.from(v))).toBe(false);
});
