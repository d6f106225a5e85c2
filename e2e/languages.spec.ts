// Issue 15 in Chromium: the whole journey (home → demo sign-in → consent → settings → withdraw →
// delete) in each language, Persian right to left with a mirrored layout, axe at 0 serious or
// critical at desktop and phone widths on the demo's home page (its persona buttons and notice are
// in no other suite's pages; every other page of the journey is in the page matrix, e2e/matrix.spec.ts,
// in every language at both widths, so axe is not run twice on it); the switcher on every page, by keyboard,
// keeping the path and remembered across page loads; bad language input gives English, never an error.
//
// Expected texts come from the message files (messages/<locale>/*.json), found through their English
// text: a page that shows English where Russian is due fails. A text no message holds yet (a page
// not translated yet) is a soft failure that names it, so the journey still runs to the end.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import IntlMessageFormat from "intl-messageformat";
import { LOCALE_NAMES, LOCALES, textDirection, type Locale } from "../lib/i18n/locales";
import { NAMESPACES } from "../lib/i18n/namespaces";
import { allMessages } from "../tests/support/messages";
import { expect, expectNoSeriousAxe, testWithDemo } from "./fixtures";

// The persona sign-in needs demo mode, which runs on SQLite only: the PostgreSQL run of the suite
// would repeat this file unchanged, so it runs once.
const test = testWithDemo("e2e-languages");
test.skip(process.env.TEST_DB === "postgres", "demo mode runs on SQLite only; the SQLite run covers this file");

const MESSAGES = Object.fromEntries(LOCALES.map((locale) => [locale, allMessages(locale, NAMESPACES)])) as Record<
  Locale,
  Map<string, string>
>;

/** A message's text with its simple arguments as "{}", the way the English texts below are written. */
const slotted = (text: string) => text.replace(/\{\s*[A-Za-z0-9_]+\s*\}/g, "{}");
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const SLOT = "\u0000slot\u0000";

/**
 * What the page says in `locale` where the English page says `english` ("{}" marks a value: given in
 * `values` in order, or left open and matched by a pattern). Found in the message files through the
 * English text, so the test holds whatever key a page uses.
 */
function say(locale: Locale, english: string, ...values: (string | undefined)[]): string | RegExp {
  const key = [...MESSAGES.en].find(([, text]) => slotted(text) === english)?.[0];
  let text = english;
  if (key) {
    const names = [...MESSAGES.en.get(key)!.matchAll(/\{\s*([A-Za-z0-9_]+)\s*\}/g)].map((m) => m[1]!);
    const args = Object.fromEntries(names.map((name, i) => [name, values[i] ?? SLOT]));
    text = String(new IntlMessageFormat(MESSAGES[locale].get(key)!, locale).format(args));
  } else {
    // Not in any message file yet: the page is still English. Soft, so the rest of the journey runs.
    if (locale !== "en")
      expect.soft(key, `no message in messages/en reads "${english}" (not translated yet)`).toBeDefined();
    let i = 0;
    text = english.replace(/\{\}/g, () => values[i++] ?? SLOT);
  }
  return text.includes(SLOT) ? new RegExp(`^${text.split(SLOT).map(escape).join(".+?")}$`) : text;
}

/** What every page of the journey must hold in `locale`: the document's language and direction, the
 * layout's side, the switcher, and (with `axe`, where the page matrix does not look) no serious
 * accessibility problem. */
async function checkPage(page: Page, locale: Locale, where: string, axe = false): Promise<void> {
  const html = page.locator("html");
  await expect(html, where).toHaveAttribute("lang", locale);
  await expect(html, where).toHaveAttribute("dir", textDirection(locale));
  // Mirrored: the brand opens the header at the reading side (right edge in Persian, left otherwise).
  const width = page.viewportSize()!.width;
  const brand = (await page
    .getByRole("link", { name: say(locale, "Consent-first login"), exact: true })
    .boundingBox())!;
  if (textDirection(locale) === "rtl")
    expect(brand.x + brand.width, `${where}: brand at the right`).toBeGreaterThan(width - 80);
  else expect(brand.x, `${where}: brand at the left`).toBeLessThan(80);
  const switcher = page.getByRole("navigation", { name: say(locale, "Language"), exact: true });
  await expect(switcher.getByRole("link"), where).toHaveCount(LOCALES.length);
  await expect(switcher.getByRole("link", { name: LOCALE_NAMES[locale] }), where).toHaveAttribute(
    "aria-current",
    "true",
  );
  if (axe) await expectNoSeriousAxe(page, `${locale} ${where}`);
}

async function heading(page: Page, locale: Locale, english: string, ...values: (string | undefined)[]) {
  await expect(page.getByRole("heading", { level: 1, name: say(locale, english, ...values) })).toBeVisible();
}

// Each persona signs in once (demo personas have fixed Telegram ids), and each account is deleted.
// Spanish is chosen with the switcher; the others come from the browser's Accept-Language.
const JOURNEYS: { locale: Locale; browserLocale: string; persona: string; viaSwitcher?: boolean }[] = [
  { locale: "en", browserLocale: "en-GB", persona: "Ada" },
  { locale: "ru", browserLocale: "ru-RU", persona: "Grace" },
  { locale: "es", browserLocale: "en-US", persona: "Alan", viaSwitcher: true },
  { locale: "fa", browserLocale: "fa-IR", persona: "Margaret" },
];
const ENGLISH_TITLE = "Greet you by name"; // the display_name purpose, as the English catalogue names it

async function withContext(browser: Browser, locale: string, run: (context: BrowserContext) => Promise<void>) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  try {
    await run(context);
  } finally {
    await context.close();
  }
}

for (const { locale, browserLocale, persona, viaSwitcher } of JOURNEYS) {
  test(`${locale}: sign in, consent, withdraw and delete, all in ${LOCALE_NAMES[locale]}`, async ({
    browser,
    demo,
  }) => {
    // A whole life of an account in one test (36 s at load 8 on two cores; past 60 s at load 12).
    test.slow();
    await withContext(browser, browserLocale, async (context) => {
      const page = await context.newPage();
      await page.goto(demo.origin);
      if (viaSwitcher) {
        await page
          .getByRole("navigation", { name: "Language" })
          .getByRole("link", { name: LOCALE_NAMES[locale] })
          .click();
        await expect(page).toHaveURL(`${demo.origin}/`);
      }
      await heading(page, locale, "Sign in with Telegram, keep control of your data");
      await checkPage(page, locale, "home", true);

      await page.getByRole("button", { name: say(locale, "Demo sign-in as {}", persona) }).click();
      await expect(page).toHaveURL(/\/consent$/);
      await heading(page, locale, "Before we create your account");
      await checkPage(page, locale, "consent");
      const choice = page.getByTestId("consent-display_name").getByRole("checkbox");
      // The purpose's own text comes from the catalogue in the page's language, not in English.
      if (locale !== "en")
        // The page is rendered: no need to wait for a name that is not coming.
        await expect
          .soft(choice, "purpose title in the page's language")
          .not.toHaveAccessibleName(ENGLISH_TITLE, { timeout: 100 });
      await choice.check();
      await page.getByRole("button", { name: say(locale, "Save my choices") }).click();
      await expect(page).toHaveURL(/\/settings(\?welcome=1)?$/);
      await expect(
        page
          .getByRole("status")
          .filter({ hasText: say(locale, "Your account is ready. Below is exactly what we keep.") }),
      ).toBeVisible();
      await expect(page.getByTestId("stored-display_name")).toContainText(persona);
      await checkPage(page, locale, "settings");

      // Withdrawing shows the new state at once, in the same document (no reload).
      await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
      const card = page.locator("#card-display_name");
      await card.getByRole("button", { name: say(locale, "Withdraw “{}”") }).click();
      await expect(page.getByTestId("stored-display_name")).toHaveText(say(locale, "Nothing."));
      await expect(card.getByRole("button", { name: say(locale, "Grant “{}”") })).toBeVisible();
      expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
      await checkPage(page, locale, "settings after withdrawing");

      await page.getByRole("link", { name: say(locale, "Delete my data…") }).click();
      await expect(page).toHaveURL(/\/settings\/delete$/);
      await heading(page, locale, "Delete all your data?");
      await checkPage(page, locale, "delete");
      await page.getByRole("button", { name: say(locale, "Yes, delete everything") }).click();
      await expect(page).toHaveURL(/\/\?erased=1$/);
      await expect(
        page
          .getByRole("status")
          .filter({ hasText: say(locale, "Your data has been deleted and you are signed out everywhere.") }),
      ).toBeVisible();
      await checkPage(page, locale, "home after deletion");
    });
  });
}

test("the switcher works by keyboard, keeps the page and its query, and the choice survives new page loads", async ({
  browser,
  demo,
}) => {
  await withContext(browser, "en-US", async (context) => {
    const page = await context.newPage();
    const path = "/sign-in-failed?reason=restart";
    await page.goto(`${demo.origin}${path}`);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    // Tab from the top of the page to the switcher's Russian link, then Enter.
    const target = page.getByRole("navigation", { name: "Language" }).getByRole("link", { name: LOCALE_NAMES.ru });
    for (let i = 0; i < 20 && !(await target.evaluate((el) => el === document.activeElement)); i++)
      await page.keyboard.press("Tab");
    await expect(target).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(`${demo.origin}${path}`);
    await expect(page.locator("html")).toHaveAttribute("lang", "ru");
    await expect(page.locator("html")).toHaveAttribute("dir", "ltr");

    const cookie = (await context.cookies()).find((c) => c.name === "lang")!;
    expect(cookie).toMatchObject({ value: "ru", httpOnly: true, sameSite: "Lax", path: "/" });
    const days = (cookie.expires - Date.now() / 1000) / 86_400;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThan(366);

    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("lang", "ru");
    const other = await context.newPage();
    const missing = await other.goto(`${demo.origin}/no-such-page`);
    expect(missing!.status()).toBe(404);
    await expect(other.locator("html")).toHaveAttribute("lang", "ru");
    // On the error page too, the switcher is there and leads back to the same address.
    await other
      .getByRole("navigation", { name: say("ru", "Language") })
      .getByRole("link", { name: LOCALE_NAMES.fa })
      .click();
    await expect(other).toHaveURL(`${demo.origin}/no-such-page`);
    await expect(other.locator("html")).toHaveAttribute("dir", "rtl");
  });
});

test("an unknown ?lang=, a garbage cookie and a malformed Accept-Language give English with a 200", async ({
  browser,
  demo,
}) => {
  await withContext(browser, "en-US", async (context) => {
    const page = await context.newPage();
    const english = async (how: string, url = demo.origin) => {
      const res = await page.goto(url);
      expect(res!.status(), how).toBe(200);
      await expect(page.locator("html"), how).toHaveAttribute("lang", "en");
      await expect(page.locator("html"), how).toHaveAttribute("dir", "ltr");
    };
    await english("?lang=zz", `${demo.origin}/?lang=zz`);
    await expect(page).toHaveURL(`${demo.origin}/`);
    expect((await context.cookies()).some((c) => c.name === "lang")).toBe(false);
    await context.addCookies([{ name: "lang", value: "zz-garbage%00", url: demo.origin }]);
    await english("garbage cookie");
    await context.clearCookies();
    await page.setExtraHTTPHeaders({ "Accept-Language": "x;q=abc, ***, ;;" });
    await english("malformed Accept-Language");
  });
});
