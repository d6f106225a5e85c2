// Issues 3 and 4 in the browser: consent to a subset, see it stored (encrypted) and nothing else;
// withdraw in one click and find the fields gone from the page, the API and the database; export
// holds what the page shows; deletion in one browser signs the other out at its next request.
import { Client } from "../tests/support/client";
import { query, rawDatabaseBytes } from "../tests/support/inspect";
import { expect, freshTelegramId, postSignIn, signInContext, testWithApp } from "./fixtures";

const test = testWithApp({ label: "e2e-settings" });

async function userIdOf(client: Client): Promise<string> {
  return ((await (await client.get("/api/me")).json()) as { id: string }).id;
}

test("consenting to a subset stores exactly those fields, encrypted", async ({ app, page }) => {
  const id = freshTelegramId();
  // A real first sign-in through the page's own fetch, then the consent page by keyboard.
  await postSignIn(page, app.origin, {
    id,
    first_name: "Keyboard",
    last_name: "Katzbalger",
    username: "kbd_kat",
    photo_url: "https://t.me/i/userpic/320/kbd.jpg",
  });
  await page.goto(`${app.origin}/consent`);
  await page.getByRole("checkbox", { name: "Show your Telegram username" }).focus();
  await page.keyboard.press("Space");
  await page.getByRole("button", { name: "Save my choices" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/settings/);
  await expect(page.getByTestId("stored-username")).toContainText("kbd_kat");
  await expect(page.getByTestId("stored-display_name")).toHaveText("Nothing.");

  const rows = await query<{ field: string }>(app, "SELECT f.field FROM user_fields f ORDER BY f.field");
  expect(rows.map((r) => r.field)).toEqual(["telegram_id", "username"]);
  const bytes = await rawDatabaseBytes(app);
  // Long needles only: the database holds random base64url text, where a 3-letter "Kat" turned up
  // by chance about once in 2,000 runs.
  for (const v of ["kbd_kat", "Keyboard", "Katzbalger", "kbd.jpg", id]) expect(bytes.includes(v)).toBe(false);
});

test("withdrawing takes one click, erases at once, and says what was erased", async ({ app, page, person }) => {
  const { client, userId } = await person(
    { first_name: "Wilma", last_name: "Withdraw" },
    {
      account: true,
      display_name: true,
      username: false,
      profile_photo: false,
      phone_contact: false,
      phone_verification: false,
    },
  );
  await page.goto(`${app.origin}/settings`);
  await expect(page.getByTestId("stored-display_name")).toContainText("Wilma");

  // Granting on the consent page took two steps (tick, save). Withdrawing is one click, with no
  // confirmation in between: right after it, the database no longer holds the fields.
  await page.getByRole("button", { name: "Withdraw “Greet you by name”" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Erased now: First name, Last name." })).toBeVisible();
  expect(
    (await query<{ field: string }>(app, "SELECT field FROM user_fields WHERE user_id = $1", [userId])).map(
      (r) => r.field,
    ),
  ).toEqual(["telegram_id"]);

  // The page shows the new state at once, without a reload.
  await expect(page.getByTestId("stored-display_name")).toHaveText("Nothing.");
  const me = (await (await client.get("/api/me")).json()) as {
    purposes: Record<string, { granted: boolean; fields: Record<string, string> }>;
  };
  expect(me.purposes.display_name).toMatchObject({ granted: false, fields: {} });
  const rows = await query<{ field: string }>(app, "SELECT field FROM user_fields WHERE user_id = $1", [userId]);
  expect(rows.map((r) => r.field)).toEqual(["telegram_id"]);

  // And it can be granted again from the same place, in one click.
  await page.getByRole("button", { name: "Grant “Greet you by name”" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Granted: Greet you by name." })).toBeVisible();
});

test("the export holds what the page shows, plus the consent history", async ({ app, page, context }) => {
  await signInContext(
    app,
    context,
    { id: freshTelegramId(), first_name: "Exa", username: "exa_port" },
    {
      account: true,
      display_name: true,
      username: true,
      profile_photo: false,
      phone_contact: false,
      phone_verification: false,
    },
  );
  await page.goto(`${app.origin}/settings`);
  const shown = await page.getByTestId("stored-username").innerText();
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download my data (JSON)" }).click();
  const download = await downloadPromise;
  const { readFileSync } = await import("node:fs");
  const data = JSON.parse(readFileSync((await download.path())!, "utf8")) as {
    purposes: { id: string; stored: Record<string, { value: string }> }[];
    consentHistory: { purposeId: string; decision: string }[];
    receipt: { version: string; services: { purposes: { purposeId: string }[] }[] };
  };
  const username = data.purposes.find((p) => p.id === "username")!;
  expect(shown).toContain(username.stored.username!.value);
  expect(data.purposes.find((p) => p.id === "display_name")!.stored.first_name!.value).toBe("Exa");
  expect(
    data.consentHistory
      .filter((r) => r.decision === "granted")
      .map((r) => r.purposeId)
      .sort(),
  ).toEqual(["account", "display_name", "username"]);
  expect(data.receipt.version).toBe("KI-CR-v1.1.0");
  expect(data.receipt.services[0]!.purposes.map((p) => p.purposeId).sort()).toEqual([
    "account",
    "display_name",
    "username",
  ]);
});

test("deleting in one browser signs the other out at its next request, and leaves no trace on disk", async ({
  app,
  browser,
}) => {
  const id = freshTelegramId();
  const profile = { id, first_name: "Deletia", last_name: "Gone", username: "deletia_gone" };
  const laptop = await browser.newContext();
  const phone = await browser.newContext();
  const client = await signInContext(app, laptop, profile, {
    account: true,
    display_name: true,
    username: true,
    profile_photo: false,
    phone_contact: false,
    phone_verification: false,
  });
  const userId = await userIdOf(client);
  await signInContext(app, phone, { id });
  const phonePage = await phone.newPage();
  await phonePage.goto(`${app.origin}/settings`);
  await expect(phonePage.getByTestId("stored-display_name")).toContainText("Deletia");
  const ciphertexts = await query<{ ciphertext: Uint8Array }>(
    app,
    "SELECT ciphertext FROM user_fields WHERE user_id = $1",
    [userId],
  );
  const [{ telegram_id_index: index }] = (await query<{ telegram_id_index: string }>(
    app,
    "SELECT telegram_id_index FROM users WHERE id = $1",
    [userId],
  )) as [{ telegram_id_index: string }];

  const page = await laptop.newPage();
  await page.goto(`${app.origin}/settings`);
  await page.getByRole("link", { name: "Delete my data…" }).click();
  await expect(page.getByRole("heading", { name: "Delete all your data?" })).toBeVisible();
  await page.getByRole("button", { name: "Yes, delete everything" }).click();
  await expect(page).toHaveURL(/\?erased=1$/);
  await expect(page.getByText("Your data has been deleted")).toBeVisible();

  await phonePage.reload();
  await expect(phonePage).toHaveURL(/signed-out=1/);
  expect(await query(app, "SELECT id FROM users WHERE id = $1", [userId])).toHaveLength(0);
  expect(await query(app, "SELECT field FROM user_fields WHERE user_id = $1", [userId])).toHaveLength(0);
  expect(await query(app, "SELECT id FROM sessions WHERE user_id = $1", [userId])).toHaveLength(0);
  if (app.db.kind === "sqlite") {
    const bytes = await rawDatabaseBytes(app);
    for (const c of ciphertexts) expect(bytes.includes(Buffer.from(c.ciphertext))).toBe(false);
    expect(bytes.includes(index)).toBe(false);
  }
  await laptop.close();
  await phone.close();
});

test("a crafted consent form cannot store a field no approved purpose covers", async ({ app, page }) => {
  const id = freshTelegramId();
  await postSignIn(page, app.origin, { id, first_name: "Crafty", username: "crafty_user" });
  await page.goto(`${app.origin}/consent`);
  // An attacker edits the form: unknown purposes, raw field names, a hidden "shown" for a fake purpose.
  await page.evaluate(() => {
    const form = document.querySelector("form")!;
    for (const [name, value] of [
      ["purpose:bogus", "on"],
      ["shown", "bogus"],
      ["phone_number", "+15551230000"],
      ["first_name", "Injected"],
      ["username", "injected_name"],
    ]) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name!;
      input.value = value!;
      form.appendChild(input);
    }
  });
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page).toHaveURL(/\/settings/);
  const me = (await page.evaluate(() => fetch("/api/me").then((r) => r.json()))) as {
    id: string;
    purposes: Record<string, unknown>;
  };
  expect(Object.keys(me.purposes)).not.toContain("bogus");
  const rows = await query<{ field: string }>(app, "SELECT field FROM user_fields WHERE user_id = $1 ORDER BY field", [
    me.id,
  ]);
  expect(rows.map((r) => r.field)).toEqual(["telegram_id"]);
  const bytes = await rawDatabaseBytes(app);
  for (const v of ["Injected", "injected_name", "+15551230000", "Crafty"]) expect(bytes.includes(v)).toBe(false);
});
