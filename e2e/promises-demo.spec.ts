// Issue 22 on the demo (DEMO_MODE): the simulated phone says it was simulated, the filler's count
// says how the report rounds it, a kept number reads the same to the person and to the admin, the
// personas' pictures come from the app (no broken image, no request out), and without JavaScript
// the sign-in buttons say why they cannot work.
import { query, rawDatabaseBytes } from "../tests/support/inspect";
import { demoSignIn, expect, testWithDemo } from "./fixtures";

// As the demo runs for anyone who starts it: no controller configured, so its placeholders show.
const test = testWithDemo("e2e-promises-demo", {}, ["CONTROLLER_NAME", "CONTROLLER_CONTACT", "PRIVACY_POLICY_URL"]);
test.skip(process.env.TEST_DB === "postgres", "demo mode runs on SQLite only; the SQLite run covers this file");

test("item 10: the personas' pictures come from the app: no broken image and no request leaves the machine", async ({
  demo,
  page,
}) => {
  const outside: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(demo.origin) && !r.url().startsWith("data:")) outside.push(r.url());
  });
  await page.context().clearCookies();
  await page.goto(demo.origin);
  await page.getByRole("button", { name: "Demo sign-in as Grace" }).click();
  await expect(page).toHaveURL(/\/consent$/);
  const sent = page.getByTestId("consent-profile_photo").locator("img");
  await expect(sent).toHaveAttribute("src", "/demo-avatars/grace.svg");
  await expect.poll(() => sent.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  await page.getByRole("checkbox", { name: "Show your profile photo" }).check();
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page).toHaveURL(/\/settings(\?welcome=1)?$/, { timeout: 20_000 });
  const greeting = page.getByTestId("profile").locator("img");
  await expect(greeting).toHaveAttribute("src", "/demo-avatars/grace.svg");
  await expect.poll(() => greeting.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  // The value kept is still the link Telegram sends: the copy says so.
  await page.goto(`${demo.origin}/settings/export`);
  await expect(page.getByTestId("copy-photo_url")).toContainText("https://t.me/i/userpic/320/grace_demo.jpg");
  expect(outside).toEqual([]);
});

test("item 11: without JavaScript the demo's sign-in says it needs JavaScript", async ({ demo, browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(demo.origin);
  await expect(page.getByText("The demo sign-in buttons need JavaScript", { exact: false })).toBeVisible();
  await context.close();
  const scripted = await browser.newPage();
  await scripted.goto(demo.origin);
  await expect(scripted.getByText("The demo sign-in buttons need JavaScript", { exact: false })).toHaveCount(0);
  await scripted.close();
});

test("items 6 and 7: the simulated phone is said to be simulated, and reads as the admin's lookup shows it", async ({
  demo,
  page,
}) => {
  await demoSignIn(page, demo, "Ada", ["Contact you by phone"]);
  await page.goto(`${demo.origin}/settings`);
  await page.getByRole("link", { name: "Share a demo phone number (simulated)" }).click();
  await page.getByRole("button", { name: "Share +61 491 570 006 (simulated)" }).click();
  await expect(
    page.getByText("The demo's simulated phone number is saved, encrypted. It did not come from Telegram.", {
      exact: true,
    }),
  ).toBeVisible();
  await expect(page.locator("main")).not.toContainText("from Telegram is saved");
  await expect(page.getByTestId("stored-phone_contact")).toContainText("+61 491 570 006");
  const rows = await query<{ n: number }>(demo, "SELECT COUNT(*) AS n FROM user_fields WHERE field = 'phone_number'");
  expect(Number(rows[0]!.n)).toBe(1);
  await page.goto(`${demo.origin}/settings/export`);
  const copy = page.getByTestId("copy-phone_number");
  await expect(copy).toContainText("+61 491 570 006");
  await expect(copy).toContainText("from the demo's simulated share (no Telegram)");
  await expect(copy).not.toContainText("OpenID Connect");
});

test("item 7: the filler's count of deleted people says how the report rounds it, and matches the report", async ({
  demo,
  page,
}) => {
  test.setTimeout(180_000);
  await demoSignIn(page, demo, "Margaret");
  await page.goto(`${demo.origin}/admin`);
  await page.getByRole("button", { name: /^Add \d+ synthetic people$/ }).click();
  const status = page.getByRole("status").filter({ hasText: "synthetic people" });
  await expect(status).toContainText("rounds every count to the nearest 10", { timeout: 150_000 });
  const shown = /so it shows ([\d,]+|fewer than 5) for them/.exec((await status.textContent()) ?? "")![1]!;
  await expect(page.getByTestId("erasures-total")).toHaveText(shown);
});

test("item 4: without a privacy policy the receipt says none is configured, as settings do", async ({ demo, page }) => {
  await demoSignIn(page, demo, "Alan");
  await page.goto(`${demo.origin}/settings`);
  await expect(page.getByText("No privacy policy is configured (PRIVACY_POLICY_URL).")).toBeVisible();
  await page.goto(`${demo.origin}/settings/receipt`);
  await expect(page.getByTestId("receipt-policy")).toHaveText("None is configured.");
  const receipt = (await (await page.request.get(`${demo.origin}/api/me/receipt`)).json()) as {
    policyUrl: string | null;
  };
  expect(receipt.policyUrl).toBeNull();
});

test("item 14: Persian says the placeholder controller in Persian, the setting's name kept whole", async ({
  demo,
  page,
}) => {
  await demoSignIn(page, demo, "Alan");
  await page.context().addCookies([{ name: "lang", value: "fa", url: demo.origin }]);
  for (const path of ["/settings", "/settings/export"]) {
    await page.goto(`${demo.origin}${path}`);
    const main = page.locator("main");
    await expect(main).toContainText("کنترل‌کنندهٔ نمونه");
    await expect(main).not.toContainText("Placeholder controller");
    await expect(main).not.toContainText("not set (CONTROLLER_CONTACT)");
  }
  await page.goto(`${demo.origin}/settings`);
  await expect(page.locator("main bdi[dir=ltr]", { hasText: "PRIVACY_POLICY_URL" })).toHaveCount(1);
});

test("'only the date': the phone check keeps the date it passed and never the number, on the page and on disk", async ({
  demo,
  page,
}) => {
  await demoSignIn(page, demo, "Grace");
  const userId = await page.evaluate(async () => ((await (await fetch("/api/me")).json()) as { id: string }).id);
  const verify = page.getByRole("region", { name: "Confirm you have a phone number" });
  await verify.getByRole("button", { name: "Grant “Confirm you have a phone number”" }).click();
  await expect(verify.getByRole("status")).toContainText("Granted");
  await page.getByRole("link", { name: "Share a demo phone number (simulated)" }).click();
  await page.getByRole("button", { name: "Share +61 491 570 007 (simulated)" }).click();
  await expect(page.getByText("We noted the date only, not the number.")).toBeVisible();
  await expect(verify).toContainText(/Verified on/);
  await expect(verify).not.toContainText("491 570 007");

  // On disk: the date of the check, and no number, neither as a field nor anywhere in the file.
  const outcomes = await query<{ at: unknown }>(
    demo,
    `SELECT at FROM purpose_outcomes WHERE user_id = '${userId}' AND purpose_id = 'phone_verification'`,
  );
  expect(outcomes).toHaveLength(1);
  const at = outcomes[0]!.at;
  const checkedAt = at instanceof Date ? at : /^\d+$/.test(String(at)) ? new Date(Number(at)) : new Date(String(at));
  expect(Math.abs(Date.now() - checkedAt.getTime())).toBeLessThan(86_400_000);
  const fields = await query<{ field: string }>(demo, `SELECT field FROM user_fields WHERE user_id = '${userId}'`);
  expect(fields.map((f) => f.field)).not.toContain("phone_number");
  const raw = await rawDatabaseBytes(demo);
  for (const spelling of ["+61491570007", "61491570007", "491570007"]) expect(raw.includes(spelling)).toBe(false);
});
