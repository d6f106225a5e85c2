// Issue 22's page matrix: every page and state a person or an admin reaches, in every language, at a
// desktop and a phone width. On each: no sideways scrolling (scrollWidth within the viewport), no
// broken image (naturalWidth 0), no raw message key, no English sentence on a page in another
// language (names, values and the admin area aside), and axe at 0 serious or critical.
//
// Runs in parallel: each test is one state in one language, and each worker starts its own server
// on its own database and has one browser tab that its tests share (e2e/fixtures.ts). `npx
// playwright test e2e/matrix.spec.ts`, 81 tests with two workers on a quiet 2-core machine: 1.7 min;
// 3.9 min with a new browser context per test; 5.7 min when, besides, each axe run took 1.4 s through
// @axe-core/playwright. The servers and browsers keep both cores busy: four workers were slower.
import { LOCALES, type Locale } from "../lib/i18n/locales";
import { EVERYTHING, ONLY_ACCOUNT, type Profile } from "../tests/support/client";
import type { TestApp } from "../tests/support/server";
import {
  expect,
  freshTelegramId,
  inspectPage,
  pendingSignInContext,
  seriousAxe,
  signInContext,
  testWithApp,
  useLanguage,
} from "./fixtures";
import type { BrowserContext, Page } from "@playwright/test";

const ADMIN_ID = "5599000000122";
const test = testWithApp({ label: "e2e-matrix", env: { ADMIN_TELEGRAM_IDS: ADMIN_ID } });
test.describe.configure({ mode: "parallel" });
// What a page looks like does not depend on the database behind it: the SQLite run covers the matrix,
// and the PostgreSQL run keeps its time for what does (every other journey runs on both).
test.skip(process.env.TEST_DB === "postgres", "layout, languages and axe do not depend on the database");

const WIDTHS = [1280, 390] as const;

// The photo link points at t.me, which this closed network cannot reach: the page must show its
// placeholder and the link as text, never a broken image.
const full = (): Profile => ({
  id: freshTelegramId(),
  first_name: "Matrix",
  last_name: "Person",
  username: "matrix_person",
  photo_url: "https://t.me/i/userpic/320/matrix_person.jpg",
});
const minimal = (): Profile => ({ id: freshTelegramId(), first_name: "Min" });

type Setup = { app: TestApp; context: BrowserContext; page: Page };
type State = { name: string; prepare: (s: Setup) => Promise<string>; after?: (page: Page) => Promise<void> };

const signed =
  (profile: () => Profile, decisions: Record<string, boolean>, path: string) =>
  async ({ app, context }: Setup) => {
    await signInContext(app, context, profile(), decisions);
    return path;
  };
const admin =
  (path: string) =>
  async ({ app, context }: Setup) => {
    await signInContext(app, context, { id: ADMIN_ID, first_name: "Admin" }, ONLY_ACCOUNT);
    return path;
  };

const STATES: State[] = [
  { name: "home", prepare: async () => "/" },
  { name: "home after erasure", prepare: async () => "/?erased=1" },
  { name: "home after logout", prepare: async () => "/?signed-out=1" },
  { name: "home after a cancelled sign-in", prepare: async () => "/?signin=cancelled" },
  {
    name: "consent, every field sent",
    prepare: async ({ app, context }) => {
      await pendingSignInContext(app, context, full());
      return "/consent";
    },
  },
  {
    name: "consent, only a first name sent",
    prepare: async ({ app, context }) => {
      await pendingSignInContext(app, context, minimal());
      return "/consent";
    },
  },
  { name: "consent without a sign-in", prepare: async () => "/consent" },
  { name: "settings, account only", prepare: signed(minimal, ONLY_ACCOUNT, "/settings") },
  { name: "settings, everything granted", prepare: signed(full, EVERYTHING, "/settings") },
  {
    name: "settings, welcome and mixed purposes",
    prepare: signed(full, { ...ONLY_ACCOUNT, display_name: true, profile_photo: true }, "/settings?welcome=1"),
  },
  { name: "delete", prepare: signed(full, EVERYTHING, "/settings/delete") },
  { name: "export, everything granted", prepare: signed(full, EVERYTHING, "/settings/export") },
  { name: "export, everything declined", prepare: signed(minimal, ONLY_ACCOUNT, "/settings/export") },
  { name: "receipt", prepare: signed(full, EVERYTHING, "/settings/receipt") },
  { name: "sign-in failed", prepare: async () => "/sign-in-failed" },
  { name: "page not found", prepare: async () => "/no-such-page" },
  { name: "admin report refused to a person", prepare: signed(minimal, ONLY_ACCOUNT, "/admin") },
  { name: "admin report", prepare: admin("/admin") },
  { name: "contact lookup", prepare: admin("/admin/contact") },
  {
    name: "contact lookup refused",
    prepare: admin("/admin/contact"),
    after: async (page) => {
      await page.getByRole("textbox", { name: "Account reference" }).fill("0000-0000-0000");
      await page.getByRole("radio", { name: "Reply to a request they made" }).check();
      await page.getByRole("button", { name: "Look up the phone number" }).click();
      await expect(page.getByTestId("contact-result")).not.toBeEmpty();
    },
  },
];

// The checks themselves, on a page made to fail each: a check that finds nothing here would pass
// every state above without looking.
test("the checks find a page that fails them", async ({ page }) => {
  await page.setViewportSize({ width: WIDTHS[1], height: 900 });
  await page.setContent(
    `<html lang="en"><head><title>Checks</title></head><body><main><h1>Checks</h1><button></button><p>settings.notices.welcome</p>` +
      `<div style="width: 2000px">wide</div></main></body></html>`,
  );
  const r = await inspectPage(page, "en");
  expect(r.overflow).toMatch(/^page is \d+ px wide in 390 px$/);
  expect(r.rawKeys).toEqual(["settings.notices.welcome"]);
  expect(await seriousAxe(page)).toEqual(["button-name (critical): button"]);
});

for (const state of STATES) {
  for (const locale of LOCALES) {
    test(`${state.name} in ${locale}`, async ({ app, context, page }) => {
      await useLanguage(context, app.origin, locale);
      const path = await state.prepare({ app, context, page });
      const problems: string[] = [];
      // One load, then the phone width by resizing it, as a window is narrowed: the layout and axe
      // see the page at each width, and a second load would only repeat the server's work (no code
      // of the app reads the window's width).
      await page.setViewportSize({ width: WIDTHS[0], height: 900 });
      await page.goto(`${app.origin}${path}`);
      if (state.after) await state.after(page);
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        const r = await inspectPage(page, locale as Locale);
        const at = `${width} px`;
        if (r.overflow) problems.push(`${at}: ${r.overflow}`);
        for (const src of r.brokenImages) problems.push(`${at}: broken image ${src}`);
        for (const key of r.rawKeys) problems.push(`${at}: raw message key ${key}`);
        for (const s of r.english) problems.push(`${at}: English on a ${locale} page: "${s.slice(0, 120)}"`);
        for (const v of await seriousAxe(page)) problems.push(`${at}: axe ${v}`);
      }
      expect(problems).toEqual([]);
    });
  }
}
