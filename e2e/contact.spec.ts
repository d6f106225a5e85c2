// Issue 14 item 3 for "Contact you by phone", in Chromium on the demo: Ada grants the purpose and
// shares her (fictional) number through the simulated sharing; Margaret, the demo's admin, looks it
// up by Ada's account reference with a reason and sees it; Ada's settings list the lookup; after Ada
// withdraws, the same lookup is refused. The form works from the keyboard and without JavaScript.
import type { Page } from "@playwright/test";
import { countRows } from "../tests/support/inspect";
import { demoSignIn, expect, expectNoSeriousAxe, testWithDemo } from "./fixtures";

const test = testWithDemo("e2e-contact");

const REFUSAL =
  "No number to show: this person has not agreed to be contacted by phone, or there is no account with this reference.";

/** Margaret's lookup, from the keyboard: type the reference, pick the reason, press Enter. */
async function lookUpAsAdmin(page: Page, reference: string, reason: string): Promise<void> {
  await page.getByRole("textbox", { name: "Account reference" }).fill(reference);
  await page.getByRole("radio", { name: reason, exact: true }).check();
  await page.getByRole("textbox", { name: "Account reference" }).press("Enter");
}

test("the admin sees a consenting person's number; the person sees the lookup; after withdrawal it is refused", async ({
  demo,
  page,
}) => {
  // Two people, two sign-ins, a lookup, a withdrawal and axe on each page: past 60 s at load 12.
  test.slow();
  await demoSignIn(page, demo, "Ada", ["Contact you by phone"]);
  const phoneCard = page.getByRole("region", { name: "Contact you by phone" });
  await expect(phoneCard.getByTestId("contact-lookups")).toContainText("None yet.");
  await page.getByRole("link", { name: "Share a demo phone number (simulated)" }).click();
  await page.getByRole("button", { name: "Share +61 491 570 006 (simulated)" }).click();
  await expect(page).toHaveURL(/\/settings(\?phone=saved)?$/);
  const reference = (await page.getByTestId("account-reference").locator("strong").innerText()).trim();
  expect(reference).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
  await expectNoSeriousAxe(page);

  await demoSignIn(page, demo, "Margaret");
  await page.getByRole("link", { name: "Admin report" }).click();
  await page.getByRole("link", { name: "Contact a person by phone" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Contact a person by phone" })).toBeVisible();
  await expectNoSeriousAxe(page);
  await lookUpAsAdmin(page, reference, "Security problem with their account");
  const result = page.getByTestId("contact-result");
  await expect(result).toContainText(`Phone number for account ${reference}: +61 491 570 006`);
  await expect(result).toBeFocused();
  await expect(result.getByRole("link", { name: "+61 491 570 006" })).toHaveAttribute("href", "tel:+61491570006");
  await expectNoSeriousAxe(page);
  expect(await countRows(demo, "audit_events", "type = 'contact.looked_up' AND detail NOT LIKE '%491570006%'")).toBe(1);

  await demoSignIn(page, demo, "Ada");
  const lookups = page.getByRole("region", { name: "Contact you by phone" }).getByTestId("contact-lookups");
  await expect(lookups.getByRole("listitem")).toHaveCount(1);
  await expect(lookups.getByRole("listitem")).toContainText(
    /^[A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d\d [AP]M: Security problem with your account$/,
  );
  await expectNoSeriousAxe(page);
  await page.getByRole("button", { name: "Withdraw “Contact you by phone”" }).click();
  await expect(
    page.getByRole("region", { name: "Contact you by phone" }).getByText("not granted", { exact: true }),
  ).toBeVisible();
  // The history of lookups stays with the person after the number is gone.
  await expect(lookups.getByRole("listitem")).toHaveCount(1);

  await demoSignIn(page, demo, "Margaret");
  await page.goto(`${demo.origin}/admin/contact`);
  await lookUpAsAdmin(page, reference, "Reply to a request they made");
  await expect(result).toHaveText(REFUSAL);
  await expect(result).toBeFocused();
  await expect(result.getByRole("link")).toHaveCount(0);
  await expectNoSeriousAxe(page);
});

test("without JavaScript the lookup form posts and shows the answer", async ({ demo, page, browser }) => {
  await demoSignIn(page, demo, "Grace", ["Contact you by phone"]);
  await page.getByRole("link", { name: "Share a demo phone number (simulated)" }).click();
  await page.getByRole("button", { name: "Share +61 491 570 007 (simulated)" }).click();
  await expect(page).toHaveURL(/\/settings(\?phone=saved)?$/);
  const reference = (await page.getByTestId("account-reference").locator("strong").innerText()).trim();

  await demoSignIn(page, demo, "Margaret");
  const context = await browser.newContext({ javaScriptEnabled: false });
  await context.addCookies(await page.context().cookies());
  const noJs = await context.newPage();
  await noJs.goto(`${demo.origin}/admin/contact`);
  await lookUpAsAdmin(noJs, reference, "Problem with their account");
  await expect(noJs.getByTestId("contact-result")).toContainText("+61 491 570 007");
  await lookUpAsAdmin(noJs, "0000-0000-0000", "Problem with their account");
  await expect(noJs.getByTestId("contact-result")).toHaveText(REFUSAL);
  await context.close();
});

test("another persona is refused the contact page", async ({ demo, page }) => {
  await demoSignIn(page, demo, "Alan");
  expect((await page.goto(`${demo.origin}/admin/contact`))!.status()).toBe(403);
});
