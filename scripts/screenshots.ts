// `npm run screenshots`: retakes the README's pictures (docs/screenshot-*.png) from the production
// build in .next, on a fresh demo database, in Chromium: the consent page of a first sign-in (in
// English and in Persian, right to left), the settings page, and the admin report after the demo's
// "Add 500 synthetic people". Run `npx next build` first.
import { chromium, type Page } from "@playwright/test";
import { findChromium } from "./chromium.mjs";
import { freshDatabase } from "../tests/support/databases";
import { startApp, type TestApp } from "../tests/support/server";

async function firstSignIn(page: Page, app: TestApp, name: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(app.origin);
  // By the persona's id, not the button's words: the home page may be in any language.
  await page.locator(`button[aria-describedby="persona-${name}"]`).click();
  await page.waitForURL(/\/(consent|settings)/);
}

const app = await startApp({
  label: "screenshots",
  env: { DEMO_MODE: "1" },
  db: await freshDatabase("screenshots", "sqlite"),
  host: "127.0.0.1",
});
const browser = await chromium.launch({ executablePath: await findChromium(), args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  const shot = (name: string) => page.screenshot({ path: `docs/screenshot-${name}.png`, fullPage: true });

  await firstSignIn(page, app, "ada");
  await shot("consent");
  await page.goto(`${app.origin}/consent?lang=fa`);
  await shot("consent-fa");
  await page.goto(`${app.origin}/consent?lang=en`);
  for (const box of await page.getByRole("checkbox").all()) if (await box.isEnabled()) await box.check();
  await page.getByRole("button", { name: "Save my choices" }).click();
  await page.waitForURL(/\/settings/);
  await shot("settings");

  await firstSignIn(page, app, "margaret");
  if (page.url().includes("/consent")) {
    await page.getByRole("button", { name: "Save my choices" }).click();
    await page.waitForURL(/\/settings/);
  }
  await page.goto(`${app.origin}/admin`);
  await page.getByRole("button", { name: /Add 500 synthetic people/ }).click();
  await page
    .getByText(/synthetic/)
    .first()
    .waitFor();
  await page.reload();
  await shot("admin");
  console.log("docs/screenshot-{consent,consent-fa,settings,admin}.png retaken");
} finally {
  await browser.close();
  await app.stop();
  await app.db.drop();
}
