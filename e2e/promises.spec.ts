// Issue 22 in Chromium: every sentence a page says is true, at every width and in every language.
// Each test names the item it covers; the demo's items are in promises-demo.spec.ts, the phone
// replacement in phone.spec.ts, the page matrix in matrix.spec.ts.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import type { Page } from "@playwright/test";
import { EVERYTHING, ONLY_ACCOUNT } from "../tests/support/client";
import { countRows, execute, query } from "../tests/support/inspect";
import { expect, freshTelegramId, pendingSignInContext, signInContext, testWithApp, useLanguage } from "./fixtures";

const ADMIN_ID = "5599000000222";
const test = testWithApp({ label: "e2e-promises", env: { ADMIN_TELEGRAM_IDS: ADMIN_ID } });

const card = (page: Page, title: string) => page.getByRole("region", { name: title });

type Row = { seq: number; subject_id: string; purpose_id: string; purpose_version: string; text_hash: string };
type FullRow = Row & { locale: string; fields: string; decision: string; method: string; at: string | Date };

/** The ledger's canonical hash (lib/data/ledger.ts hashRecord), to write records as the previous release did. */
function hashOf(prevHash: string, r: FullRow): string {
  const at = r.at instanceof Date ? r.at : new Date(typeof r.at === "number" ? r.at : String(r.at));
  return createHash("sha256")
    .update(
      JSON.stringify([
        r.seq,
        prevHash,
        r.subject_id,
        r.purpose_id,
        r.purpose_version,
        r.text_hash,
        JSON.parse(r.fields) as string[],
        r.decision,
        r.method,
        at.toISOString(),
        ...(r.locale === "en" ? [] : [r.locale]),
      ]),
    )
    .digest("hex");
}

test("item 2: a decline is not a withdrawal, in the ledger, the export, the copy and the receipt; older records read the same", async ({
  app,
  page,
  person,
}) => {
  // Declines "Greet you by name" at the first sign-in, grants the username, then withdraws it.
  const { client, userId } = await person(
    { first_name: "Dana", username: "dana_declines" },
    { ...ONLY_ACCOUNT, username: true },
  );
  await page.goto(`${app.origin}/settings`);
  await card(page, "Show your Telegram username")
    .getByRole("button", { name: "Withdraw “Show your Telegram username”" })
    .click();
  await expect(card(page, "Show your Telegram username").getByText("not granted", { exact: true })).toBeVisible();

  const decisions = async () =>
    (
      await query<{ purpose_id: string; decision: string }>(
        app,
        "SELECT purpose_id, decision FROM consent_records WHERE subject_id = $1 ORDER BY seq",
        [userId],
      )
    ).map((r) => `${r.purpose_id}:${r.decision}`);
  expect(await decisions()).toEqual([
    "account:granted",
    "display_name:declined",
    "username:granted",
    "profile_photo:declined",
    "phone_contact:declined",
    "phone_verification:declined",
    "username:withdrawn",
  ]);

  const checkPages = async () => {
    await page.goto(`${app.origin}/settings/export`);
    const history = page.getByRole("table");
    await expect(history.getByRole("row").filter({ hasText: "Greet you by name" })).toContainText("declined");
    await expect(history.getByRole("row").filter({ hasText: "Show your Telegram username" }).last()).toContainText(
      "withdrawn",
    );
    await expect(history.getByRole("row").filter({ hasText: "Greet you by name" })).not.toContainText("withdrawn");
    const data = (await (await client.get("/api/me/export")).json()) as {
      consentHistory: { purposeId: string; decision: string }[];
      receipt: { notGranted: { purposeId: string; decision: string }[] };
    };
    expect(data.consentHistory.map((r) => `${r.purposeId}:${r.decision}`)).toEqual([
      "account:granted",
      "display_name:declined",
      "username:granted",
      "profile_photo:declined",
      "phone_contact:declined",
      "phone_verification:declined",
      "username:withdrawn",
    ]);
    expect(data.receipt.notGranted.find((p) => p.purposeId === "username")!.decision).toBe("withdrawn");
    expect(data.receipt.notGranted.find((p) => p.purposeId === "display_name")!.decision).toBe("declined");
    await page.goto(`${app.origin}/settings/receipt`);
    await expect(page.getByTestId("receipt-not-granted-display_name")).toContainText("Greet you by name: declined");
    await expect(page.getByTestId("receipt-not-granted-username")).toContainText(
      "Show your Telegram username: withdrawn",
    );
  };
  await checkPages();

  // The previous release wrote "withdrawn" for a decline. Rewrite this person's declines that way,
  // re-chaining every record after them as that release would have, and the pages must still say
  // "declined": an upgrade loses nothing.
  const all = await query<FullRow>(app, "SELECT * FROM consent_records ORDER BY seq");
  const first = all.findIndex((r) => r.subject_id === userId && r.decision === "declined");
  let prev = first === 0 ? "genesis" : (all[first - 1] as unknown as { hash: string }).hash;
  for (const r of all.slice(first)) {
    const decision = r.decision === "declined" ? "withdrawn" : r.decision;
    const hash = hashOf(prev, { ...r, decision });
    await execute(app, "UPDATE consent_records SET decision = $1, prev_hash = $2, hash = $3 WHERE seq = $4", [
      decision,
      prev,
      hash,
      r.seq,
    ]);
    prev = hash;
  }
  await execute(app, "UPDATE ledger_head SET hash = $1 WHERE id = 1", [prev]);
  expect(await countRows(app, "consent_records", "decision = 'declined'")).toBe(0);
  const verify = execFileSync("npm", ["run", "-s", "ledger:verify"], {
    env: { ...app.env, NODE_ENV: "production" },
    encoding: "utf8",
  });
  expect(verify).toMatch(/ledger intact/);
  await checkPages();
  const data = (await (await client.get("/api/me/export")).json()) as {
    consentHistory: { purposeId: string; decision: string; recorded?: string }[];
  };
  expect(data.consentHistory.find((r) => r.purposeId === "display_name")).toMatchObject({
    decision: "declined",
    recorded: "withdrawn",
  });
});

test("item 3: the phone check keeps only its date: receipt, copy and admin report never list the number as kept", async ({
  app,
  page,
  context,
  person,
}) => {
  const { client, userId } = await person(
    { first_name: "Vera" },
    {
      ...ONLY_ACCOUNT,
      phone_verification: true,
    },
  );
  expect(await countRows(app, "user_fields", `user_id = '${userId}' AND field = 'phone_number'`)).toBe(0);
  await page.goto(`${app.origin}/settings/receipt`);
  const item = page.getByTestId("receipt-phone_verification");
  await expect(item).toContainText("only the date of the check is kept, never the value");
  const receipt = (await (await client.get("/api/me/receipt")).json()) as {
    services: { purposes: { purposeId: string; piiCategory: string[] }[] }[];
  };
  const check = receipt.services[0]!.purposes.find((p) => p.purposeId === "phone_verification")!;
  expect(check.piiCategory).toEqual(["Date of the check (Phone number seen once, never kept)"]);

  await page.goto(`${app.origin}/settings/export`);
  const copy = page.getByRole("region", { name: "Confirm you have a phone number" });
  await expect(copy).toContainText("No check recorded.");
  await expect(copy).not.toContainText("Nothing stored under this purpose");

  await signInContext(app, context, { id: ADMIN_ID, first_name: "Admin" }, ONLY_ACCOUNT);
  await page.goto(`${app.origin}/admin`);
  const row = page.getByTestId("field-phone_number");
  await expect(row.getByRole("cell").nth(1)).toHaveText(
    "phone_contact; seen once, never kept: phone_verification (only the date)",
  );
});

test("item 5: the summary counts the fields kept and the purposes they are kept for, as the database holds them", async ({
  app,
  page,
  person,
}) => {
  // Everything granted, but Telegram sent only a first name and no number was shared: two fields,
  // kept for two purposes (the account and the name); the other four purposes keep nothing.
  const { userId } = await person({ first_name: "Sam" }, EVERYTHING);
  await page.goto(`${app.origin}/settings`);
  const fields = await query<{ field: string }>(app, "SELECT field FROM user_fields WHERE user_id = $1", [userId]);
  expect(fields.map((f) => f.field).sort()).toEqual(["first_name", "telegram_id"]);
  await expect(page.getByTestId("summary-counts")).toHaveText(`We keep ${fields.length} of 6 fields, for 2 purposes.`);
  // Withdrawing the name leaves one field for one purpose, at once.
  await card(page, "Greet you by name").getByRole("button", { name: "Withdraw “Greet you by name”" }).click();
  await expect(page.getByTestId("summary-counts")).toHaveText("We keep 1 of 6 fields, for 1 purpose.");
  expect(await countRows(app, "user_fields", `user_id = '${userId}'`)).toBe(1);
});

test("item 7: the contact lookup has no reason chosen for the admin; purge counts are words; the JSON download is dated", async ({
  app,
  page,
  context,
}) => {
  await signInContext(app, context, { id: ADMIN_ID, first_name: "Admin" }, ONLY_ACCOUNT);
  await page.goto(`${app.origin}/admin/contact`);
  const reasons = page.getByRole("group", { name: "Reason" }).getByRole("radio");
  expect(await reasons.count()).toBeGreaterThan(1);
  for (const r of await reasons.all()) await expect(r).not.toBeChecked();
  const before = await countRows(app, "audit_events", "type LIKE 'contact.%'");
  await page.getByRole("textbox", { name: "Account reference" }).fill("0000-0000-0000");
  await page.getByRole("button", { name: "Look up the phone number" }).click();
  // The browser asks for a reason; nothing is looked up or logged without one.
  expect(await reasons.first().evaluate((el: HTMLInputElement) => el.validity.valueMissing)).toBe(true);
  expect(await countRows(app, "audit_events", "type LIKE 'contact.%'")).toBe(before);

  // A purge has run (the test servers schedule none), so the report has counts to say.
  execFileSync("npm", ["run", "-s", "purge"], { env: { ...app.env, NODE_ENV: "production" }, encoding: "utf8" });
  await page.goto(`${app.origin}/admin`);
  const lastPurge = page.getByTestId("last-purge");
  await expect(lastPurge).toContainText(/accounts erased: /);
  await expect(lastPurge).not.toContainText(/[a-z][A-Z]/);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download JSON" }).click();
  expect((await download).suggestedFilename()).toMatch(/^minimization-report-\d{4}-\d\d-\d\d\.json$/);
});

test("item 8: 'Your account is ready' is said once: the address drops it at once, and the switcher does not carry it", async ({
  app,
  page,
  context,
}) => {
  await pendingSignInContext(app, context, { id: freshTelegramId(), first_name: "Wendy" });
  await page.goto(`${app.origin}/consent`);
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page.getByText("Your account is ready. Below is exactly what we keep.")).toBeVisible();
  await expect(page).toHaveURL(`${app.origin}/settings`);
  const switcher = page.getByRole("navigation", { name: "Language" });
  for (const link of await switcher.getByRole("link").all())
    expect(await link.getAttribute("href")).not.toContain("welcome");
  await switcher.getByRole("link", { name: "Русский" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Ваши данные");
  await expect(page.getByText("Ваша учётная запись готова", { exact: false })).toHaveCount(0);
  await page.reload();
  await expect(page.getByText("Ваша учётная запись готова", { exact: false })).toHaveCount(0);
});

test("item 9: Russian settings and the printable copy fit a 390 px phone; the account reference stays whole", async ({
  app,
  page,
  context,
}) => {
  await useLanguage(context, app.origin, "ru");
  await signInContext(
    app,
    context,
    {
      id: freshTelegramId(),
      first_name: "Констанция",
      last_name: "Преображенская-Достопримечательная",
      username: "konstantsiya_preobrazhenskaya",
    },
    { ...ONLY_ACCOUNT, display_name: true, username: true },
  );
  await page.setViewportSize({ width: 390, height: 844 });
  const fits = async (where: string) => {
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(scroll, `${where}: page ${scroll} px wide`).toBeLessThanOrEqual(client);
  };
  await page.goto(`${app.origin}/settings`);
  await fits("ru settings");
  for (const dd of await page.locator("[data-testid^=stored-] dd").all()) {
    const box = (await dd.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
  const reference = page.getByTestId("account-reference").locator("strong");
  expect(await reference.evaluate((el) => el.getClientRects().length)).toBe(1);
  for (const locale of ["en", "es", "ru"]) {
    await useLanguage(context, app.origin, locale);
    await page.goto(`${app.origin}/settings/export`);
    await fits(`${locale} export`);
    const table = (await page.locator("table.history").boundingBox())!;
    expect(table.x + table.width, `${locale} history table`).toBeLessThanOrEqual(390);
  }
});

test("item 10: a photo that cannot load shows a placeholder and its link as text, on the consent page and in the greeting", async ({
  app,
  page,
  context,
}) => {
  const photo = "https://t.me/i/userpic/320/unreachable_photo.jpg";
  await pendingSignInContext(app, context, { id: freshTelegramId(), first_name: "Ola", photo_url: photo });
  await page.goto(`${app.origin}/consent`);
  const sent = page.getByTestId("consent-profile_photo");
  await expect(sent.getByTestId("photo-failed")).toBeVisible();
  await expect(sent.getByRole("link", { name: photo })).toHaveAttribute("href", photo);
  expect(await page.evaluate(() => [...document.images].filter((i) => i.complete && i.naturalWidth === 0).length)).toBe(
    0,
  );
  await page.getByRole("checkbox", { name: "Show your profile photo" }).check();
  await page.getByRole("button", { name: "Save my choices" }).click();
  const you = page.getByTestId("profile");
  await expect(you.getByTestId("photo-failed")).toBeVisible();
  await expect(you.getByRole("link", { name: photo })).toBeVisible();
  expect(await page.evaluate(() => [...document.images].filter((i) => i.complete && i.naturalWidth === 0).length)).toBe(
    0,
  );
});

test("item 11: without JavaScript a Withdraw lands on its own card, not under a stale banner at the top", async ({
  app,
  browser,
}) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 700 } });
  await signInContext(
    app,
    context,
    { id: freshTelegramId(), first_name: "Nina", username: "nina_nojs" },
    { ...ONLY_ACCOUNT, display_name: true, username: true },
  );
  const page = await context.newPage();
  await page.goto(`${app.origin}/settings?welcome=1`);
  await expect(page.getByText("Your account is ready.", { exact: false })).toBeVisible();
  const username = card(page, "Show your Telegram username");
  await username.getByRole("button", { name: "Withdraw “Show your Telegram username”" }).click();
  await expect(page).toHaveURL(`${app.origin}/settings#card-username`);
  await expect(page.getByText("Your account is ready.", { exact: false })).toHaveCount(0);
  await expect(username.getByRole("status")).toContainText("Withdrawn: Show your Telegram username.");
  await expect(username.getByRole("status")).toBeInViewport();
  await context.close();
});

test("item 11: 'Print or save as PDF' prints with JavaScript; without it the page names the browser's own Print", async ({
  app,
  context,
  browser,
}) => {
  await signInContext(app, context, { id: freshTelegramId(), first_name: "Pru" });
  // A tab of its own: the init script below cannot be removed from the shared one (e2e/fixtures.ts).
  const page = await context.newPage();
  await page.addInitScript(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => {
      (window as unknown as { printed: number }).printed += 1;
    };
  });
  for (const path of ["/settings/export", "/settings/receipt"]) {
    await page.goto(`${app.origin}${path}`);
    await page.getByRole("button", { name: "Print or save as PDF" }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  }
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  await signInContext(app, noJs, { id: freshTelegramId(), first_name: "Pru" });
  const plain = await noJs.newPage();
  await plain.goto(`${app.origin}/settings/export`);
  await expect(plain.getByRole("button", { name: "Print or save as PDF" })).toHaveCount(0);
  await expect(plain.getByText("use your browser's Print command", { exact: false })).toBeVisible();
  await noJs.close();
});

test("item 12: Enter on Withdraw, then on Grant, keeps the keyboard focus on the control", async ({
  app,
  page,
  context,
}) => {
  await signInContext(
    app,
    context,
    { id: freshTelegramId(), first_name: "Kira", username: "kira_keys" },
    {
      ...ONLY_ACCOUNT,
      username: true,
    },
  );
  await page.goto(`${app.origin}/settings`);
  const username = card(page, "Show your Telegram username");
  await username.getByRole("button", { name: "Withdraw “Show your Telegram username”" }).focus();
  await page.keyboard.press("Enter");
  const grant = username.getByRole("button", { name: "Grant “Show your Telegram username”" });
  await expect(grant).toBeVisible();
  await expect(grant).toBeFocused();
  await page.keyboard.press("Enter");
  const withdraw = username.getByRole("button", { name: "Withdraw “Show your Telegram username”" });
  await expect(withdraw).toBeVisible();
  await expect(withdraw).toBeFocused();
});

test("item 14: Russian says «учётная запись» throughout, as the purpose texts do", async ({ app, page, context }) => {
  await useLanguage(context, app.origin, "ru");
  await signInContext(app, context, { id: freshTelegramId(), first_name: "Oleg" });
  for (const path of ["/", "/settings", "/settings/delete", "/settings/export"]) {
    await page.goto(`${app.origin}${path}`);
    await expect(page.locator("body")).not.toContainText("аккаунт");
  }
  await page.goto(`${app.origin}/settings/delete`);
  await expect(page.getByText("Оставить учётную запись", { exact: true })).toBeVisible();
});
