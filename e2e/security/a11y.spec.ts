// Accessibility and CSP in a real browser: axe (all rules) on every page in the states a person
// meets it, with zero serious or critical findings; and no Content-Security-Policy violation
// reported by Chromium while the page loads and hydrates.
import { appendFileSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "@playwright/test";
import { EVERYTHING } from "../../tests/support/client";
import { axeProblems, expect, freshTelegramId, postSignIn, testWithApp } from "../fixtures";

const ADMIN_ID = "5599000000001";
const test = testWithApp({ label: "e2e-a11y", env: { ADMIN_TELEGRAM_IDS: ADMIN_ID } });
// Each test watches a page's CSP reports from its first script on, an init script: a tab of its own.
test.use({ ownTab: true });
// The tests share nothing but the server: spread them over both workers (each its own server).
test.describe.configure({ mode: "parallel" });

let pagesChecked = 0;
let findings = 0;
test.afterAll(() => {
  mkdirSync(resolve(".security-figures"), { recursive: true });
  const db = process.env.TEST_DB === "postgres" ? "postgres" : "sqlite";
  appendFileSync(
    resolve(".security-figures/figures.jsonl"),
    JSON.stringify({ name: "pages checked by axe", value: pagesChecked, note: "Chromium", db }) + "\n",
  );
  appendFileSync(
    resolve(".security-figures/figures.jsonl"),
    JSON.stringify({ name: "serious or critical axe findings", value: findings, note: "", db }) + "\n",
  );
});

async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(m.text()))
      violations.push(m.text().slice(0, 200));
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return violations;
}

async function check(page: Page, url: string, violations: string[]): Promise<void> {
  const res = await page.goto(url);
  expect(res?.status(), url).toBeLessThan(500);
  await page.waitForLoadState("networkidle");
  const bad = await axeProblems(page);
  pagesChecked += 1;
  findings += bad.length;
  expect(bad, url).toEqual([]);
  const reported = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
  expect([...violations, ...reported], `CSP violations on ${url}`).toEqual([]);
}

// Each page and state at a desktop width and at a phone's 390 px.
const WIDTHS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

async function axeHere(page: Page, label: string): Promise<void> {
  const bad = await axeProblems(page);
  pagesChecked += 1;
  findings += bad.length;
  expect(bad, label).toEqual([]);
}

for (const size of WIDTHS) {
  test(`signed-out pages (${size.name})`, async ({ app, page }) => {
    const violations = await watchCsp(page);
    await page.setViewportSize(size);
    for (const path of [
      "/",
      "/?signed-out=1",
      "/?erased=1",
      "/?cancelled=1",
      "/?signin=required",
      "/consent",
      "/admin",
      "/sign-in-failed?reason=not-confirmed",
      "/no-such-page",
    ]) {
      await check(page, `${app.origin}${path}`, violations);
    }
  });
}

test("the Mini App's entry outside Telegram: Telegram's script loads under the CSP, the page says where it works", async ({
  app,
  page,
}) => {
  const violations = await watchCsp(page);
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await check(page, `${app.origin}/tg`, violations);
    await expect(page.getByTestId("miniapp-status")).toHaveAttribute("data-state", "outside");
  }
});

test("the consent page of a first sign-in", async ({ app, page }) => {
  const violations = await watchCsp(page);
  await postSignIn(page, app.origin, {
    id: freshTelegramId(),
    first_name: "Axe",
    last_name: "Checker",
    username: "axe_checker",
  });
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await check(page, `${app.origin}/consent`, violations);
  }
  // With an error shown (nothing ticked but the required purpose is still a valid form: submit it
  // after removing the hidden fields so the server answers with its message).
  await page.evaluate(() => document.querySelectorAll('input[name="shown"]').forEach((e) => e.remove()));
  await page.getByRole("button", { name: "Save my choices" }).click();
  // The form's own alert, not Next's route announcer (also role="alert", filled only after a navigation).
  await expect(page.locator("#consent-error[role=alert]")).toBeVisible();
  expect(await axeProblems(page)).toEqual([]);
  pagesChecked += 1;
});

const OWNER = {
  first_name: "Axe",
  last_name: "Owner",
  username: "axe_owner",
  photo_url: "https://t.me/i/userpic/320/axe.jpg",
};

for (const size of WIDTHS) {
  test(`signed-in pages (${size.name})`, async ({ app, page, signedIn }) => {
    const violations = await watchCsp(page);
    await signedIn({ id: freshTelegramId(), ...OWNER }, EVERYTHING);
    await page.setViewportSize(size);
    for (const path of [
      "/settings",
      "/settings?welcome=1",
      "/settings?saved=1",
      "/settings/delete",
      "/settings/export",
      "/settings/receipt",
      "/sign-in-failed?reason=restart",
      "/",
      "/no-such-page",
    ]) {
      await check(page, `${app.origin}${path}`, violations);
    }
  });
}

test("the settings page after one-click withdrawals and grants", async ({ app, page, signedIn }) => {
  await signedIn({ id: freshTelegramId(), ...OWNER }, EVERYTHING);
  // The status messages and the phone offer are part of the page too.
  await page.goto(`${app.origin}/settings`);
  await page.getByRole("button", { name: "Withdraw “Show your Telegram username”" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Withdrawn" })).toBeVisible();
  await page.getByRole("button", { name: "Withdraw “Contact you by phone”" }).click();
  await page.getByRole("button", { name: "Grant “Contact you by phone”" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Granted: Contact you by phone" })).toBeVisible();
  await expect(page.getByText("This site has no way set up to receive your phone number")).toBeVisible();
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await axeHere(page, `settings after withdraw and grant (${size.name})`);
  }
});

test("the admin report, and the refusal a non-admin sees", async ({ app, page, signedIn }) => {
  const violations = await watchCsp(page);
  await signedIn({ id: ADMIN_ID, first_name: "Axe", last_name: "Admin" }, EVERYTHING);
  await check(page, `${app.origin}/admin`, violations);
  await expect(page.getByRole("heading", { level: 1, name: "Data-minimization report" })).toBeVisible();
  await page.context().clearCookies();
  await signedIn({ id: freshTelegramId(), first_name: "Axe", last_name: "Visitor" }, EVERYTHING);
  const res = await page.goto(`${app.origin}/admin`);
  expect(res?.status()).toBe(403);
  await check(page, `${app.origin}/admin`, violations);
});
