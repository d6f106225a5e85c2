// Issue 24 in Chromium: the Mini App entry /tg with a stand-in of Telegram.WebApp (its init data
// signed by the test bot's token and the test stand-in of Telegram's Ed25519 key), and once with
// Telegram's own telegram-web-app.js served by the app. First sign-in → consent → settings inside
// "Telegram", the theme in light and dark, refused init data, the one-tap phone, and one account
// across the web and the Mini App.
import type { Page } from "@playwright/test";
import { Client, ONLY_ACCOUNT, signedContact, signedInitData } from "../tests/support/client";
import { countRows, query } from "../tests/support/inspect";
import { expect, freshTelegramId, testWithApp } from "./fixtures";

const test = testWithApp({ label: "e2e-miniapp" });
// Each test opens the app inside a stand-in of Telegram's client, an init script: a tab of its own.
test.use({ ownTab: true });

type StandIn = {
  initData: string;
  colorScheme?: "light" | "dark";
  themeParams?: Record<string, string>;
  /** requestContact's signed answer; null: the person declines. */
  contact?: string | null;
  languageCode?: string;
};

const LIGHT = {
  bg_color: "#ffffff",
  text_color: "#000000",
  hint_color: "#707579",
  link_color: "#3390ec",
  button_color: "#3390ec",
  button_text_color: "#ffffff",
  secondary_bg_color: "#f4f4f5",
};
const DARK = {
  bg_color: "#212121",
  text_color: "#ffffff",
  hint_color: "#aaaaaa",
  link_color: "#8774e1",
  button_color: "#8774e1",
  button_text_color: "#ffffff",
  secondary_bg_color: "#0f0f0f",
};

/**
 * A stand-in of Telegram.WebApp with the members and behaviour the app relies on, as Telegram's
 * script provides them inside a client: init data, theme, viewport and safe areas, events, the Back
 * button and requestContact (whose answer is a string signed like init data). Calls are recorded
 * on window.__tg for the assertions.
 */
async function openInTelegram(page: Page, origin: string, standIn: StandIn, path = "/tg") {
  await page.addInitScript((s: StandIn) => {
    const handlers: Record<string, Array<() => void>> = {};
    const log: { calls: string[]; backVisible: boolean; backHandlers: Array<() => void> } = {
      calls: [],
      backVisible: false,
      backHandlers: [],
    };
    const fire = (event: string) => (handlers[event] ?? []).forEach((h) => h());
    const app = {
      initData: s.initData,
      initDataUnsafe: {},
      version: "8.0",
      platform: "tdesktop",
      colorScheme: s.colorScheme ?? "light",
      themeParams: { ...(s.themeParams ?? {}) },
      isExpanded: false,
      viewportHeight: 640,
      viewportStableHeight: 600,
      safeAreaInset: { top: 24, bottom: 16, left: 0, right: 0 },
      contentSafeAreaInset: { top: 8, bottom: 0, left: 0, right: 0 },
      ready() {
        log.calls.push("ready");
      },
      expand() {
        log.calls.push("expand");
        app.isExpanded = true;
      },
      isVersionAtLeast(v: string) {
        return Number(v) <= 8;
      },
      onEvent(e: string, h: () => void) {
        (handlers[e] ??= []).push(h);
      },
      offEvent(e: string, h: () => void) {
        handlers[e] = (handlers[e] ?? []).filter((x) => x !== h);
      },
      BackButton: {
        get isVisible() {
          return log.backVisible;
        },
        show() {
          log.backVisible = true;
        },
        hide() {
          log.backVisible = false;
        },
        onClick(h: () => void) {
          log.backHandlers.push(h);
        },
        offClick(h: () => void) {
          log.backHandlers = log.backHandlers.filter((x) => x !== h);
        },
      },
      requestContact(cb: (sent: boolean, event: { status: string; response?: string }) => void) {
        log.calls.push("requestContact");
        setTimeout(() => {
          if (s.contact) cb(true, { status: "sent", response: s.contact });
          else cb(false, { status: "cancelled" });
        }, 50);
      },
    };
    const w = window as unknown as Record<string, unknown>;
    w.Telegram = { WebApp: app };
    w.__tg = {
      log,
      pressBack: () => log.backHandlers.forEach((h) => h()),
      setTheme(scheme: "light" | "dark", params: Record<string, string>) {
        app.colorScheme = scheme;
        app.themeParams = params;
        fire("themeChanged");
      },
    };
  }, standIn);
  await page.goto(`${origin}${path}`);
}

const tgLog = (page: Page) =>
  page.evaluate(() => (window as unknown as { __tg: { log: { calls: string[]; backVisible: boolean } } }).__tg.log);
const cssVar = (page: Page, name: string) =>
  page.evaluate((n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim(), name);
const backgroundOf = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

test("first sign-in inside Telegram: nothing stored before consent, then settings, in Telegram's light and dark theme", async ({
  app,
  page,
}) => {
  const id = freshTelegramId();
  const users = await countRows(app, "users");
  await openInTelegram(page, app.origin, {
    initData: signedInitData({ id, first_name: "Tanya", language_code: "en" }),
    themeParams: LIGHT,
  });
  await expect(page).toHaveURL(/\/consent$/);
  await expect(page.getByRole("heading", { name: "Before we create your account" })).toBeVisible();
  expect(await countRows(app, "users")).toBe(users);
  // The theme, the viewport and the safe areas are applied; the app told Telegram it is ready.
  // Applied once the page has hydrated: wait for it rather than read it at once.
  await expect(page.locator("html")).toHaveAttribute("data-tg-scheme", "light");
  expect(await backgroundOf(page)).toBe("rgb(255, 255, 255)");
  expect(await cssVar(page, "--tg-viewport-stable-height")).toBe("600px");
  expect(await cssVar(page, "--tg-safe-area-inset-top")).toBe("24px");
  expect(await page.evaluate(() => getComputedStyle(document.body).paddingTop)).toBe("32px");
  expect((await tgLog(page)).calls).toEqual(expect.arrayContaining(["ready", "expand"]));
  expect((await tgLog(page)).backVisible).toBe(false);

  // Telegram switches to dark while the page is open: applied at once.
  await page.evaluate((dark) => {
    (window as unknown as { __tg: { setTheme: (s: string, p: object) => void } }).__tg.setTheme("dark", dark);
  }, DARK);
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.tgScheme)).toBe("dark");
  expect(await backgroundOf(page)).toBe("rgb(33, 33, 33)");
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe("dark");

  await page.getByRole("checkbox", { name: "Greet you by name" }).check();
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page).toHaveURL(/\/settings(\?welcome=1)?$/);
  await expect(page.getByTestId("stored-display_name")).toContainText("Tanya");
  expect(await countRows(app, "users")).toBe(users + 1);
  // Still themed after the navigation (the same Telegram session).
  expect(await backgroundOf(page)).not.toBe("rgb(246, 248, 250)");

  // A page below the settings shows Telegram's Back button, which leads back to the settings.
  await page.goto(`${app.origin}/settings/delete`);
  await expect.poll(async () => (await tgLog(page)).backVisible).toBe(true);
  await page.evaluate(() => (window as unknown as { __tg: { pressBack: () => void } }).__tg.pressBack());
  await expect(page).toHaveURL(/\/settings$/);
  await expect.poll(async () => (await tgLog(page)).backVisible).toBe(false);
});

test("opens in the dark theme and in the person's Telegram language", async ({ app, page }) => {
  await openInTelegram(page, app.origin, {
    initData: signedInitData({ id: freshTelegramId(), language_code: "ru" }),
    colorScheme: "dark",
    themeParams: DARK,
  });
  await expect(page).toHaveURL(/\/consent$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "ru");
  // Applied once the page has hydrated: wait for it rather than read it at once.
  await expect(page.locator("html")).toHaveAttribute("data-tg-scheme", "dark");
  expect(await backgroundOf(page)).toBe("rgb(33, 33, 33)");
  expect(await cssVar(page, "--tg-theme-button-color")).toBe("#8774e1");
});

test("refused init data: replayed, stale, future-dated, tampered, another bot's; nothing stored", async ({
  app,
  page,
  context,
}) => {
  const id = freshTelegramId();
  const used = signedInitData({ id });
  expect(
    (await new Client(app.origin).request("POST", "/api/auth/telegram/webapp", { json: { initData: used } })).status,
  ).toBe(200);
  const now = Math.floor(Date.now() / 1000);
  const cases = {
    replayed: used,
    stale: signedInitData({ id: freshTelegramId() }, { authDate: now - 301 }),
    "future-dated": signedInitData({ id: freshTelegramId() }, { authDate: now + 120 }),
    tampered: signedInitData({ id: freshTelegramId(), first_name: "A" }, { proofs: "hash" }).replace(
      "%22A%22",
      "%22B%22",
    ),
    "another bot": signedInitData({ id: freshTelegramId() }, { token: "123:" + "x".repeat(35), botId: "123" }),
  };
  const users = await countRows(app, "users");
  const pending = await countRows(app, "pending_sign_ins");
  for (const [name, initData] of Object.entries(cases)) {
    const tab = await context.newPage();
    await openInTelegram(tab, app.origin, { initData, themeParams: LIGHT });
    await expect(tab.getByTestId("miniapp-status"), name).toHaveAttribute("data-state", "refused");
    await expect(tab.getByTestId("miniapp-status")).toContainText("Telegram could not confirm this sign-in");
    await expect(tab).toHaveURL(/\/tg$/);
    await tab.close();
  }
  expect(await countRows(app, "users")).toBe(users);
  expect(await countRows(app, "pending_sign_ins")).toBe(pending);
  // Outside Telegram (no init data) the page says where it works.
  await openInTelegram(page, app.origin, { initData: "" });
  await expect(page.getByTestId("miniapp-status")).toHaveAttribute("data-state", "outside");
});

test("the Ed25519 path: init data proven only by Telegram's signature signs in", async ({ app, page }) => {
  const initData = signedInitData({ id: freshTelegramId() }, { proofs: "signature" });
  expect(new URLSearchParams(initData).get("hash")).toBe("0".repeat(64));
  await openInTelegram(page, app.origin, { initData, themeParams: LIGHT });
  await expect(page).toHaveURL(/\/consent$/);
});

test("Telegram's own telegram-web-app.js, served by the app under the strict CSP, signs in from the launch parameters", async ({
  app,
  page,
}) => {
  const violations: string[] = [];
  page.on("console", (m) => m.type() === "error" && violations.push(m.text()));
  const script = await page.request.get(`${app.origin}/telegram-web-app.js`);
  expect(script.status()).toBe(200);
  expect(script.headers()["content-type"]).toMatch(/javascript/);
  const initData = signedInitData({ id: freshTelegramId(), language_code: "es" });
  const params = new URLSearchParams({
    tgWebAppData: initData,
    tgWebAppVersion: "8.0",
    tgWebAppPlatform: "tdesktop",
    tgWebAppThemeParams: JSON.stringify(DARK),
  });
  await page.goto(`${app.origin}/tg#${params.toString()}`);
  await expect(page).toHaveURL(/\/consent$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  // The theme survives the navigation: Telegram's script keeps its launch parameters for the session.
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.tgScheme)).toBe("dark");
  expect(await backgroundOf(page)).toBe("rgb(33, 33, 33)");
  expect(violations.filter((v) => /Content Security Policy/i.test(v))).toEqual([]);
});

test("the phone with one tap, only after a phone purpose; a decline keeps nothing", async ({ app, page, context }) => {
  const id = freshTelegramId();
  const phoneRows = () => countRows(app, "user_fields", "field = 'phone_number'");
  const before = await phoneRows();
  // A decline: nothing is sent, nothing kept.
  await openInTelegram(page, app.origin, { initData: signedInitData({ id }), themeParams: LIGHT, contact: null });
  await expect(page).toHaveURL(/\/consent$/);
  // Without the phone purpose there is no button.
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page).toHaveURL(/\/settings(\?welcome=1)?$/);
  await expect(page.getByTestId("miniapp-contact")).toHaveCount(0);

  const tab = await context.newPage();
  await openInTelegram(tab, app.origin, { initData: signedInitData({ id }), themeParams: LIGHT, contact: null });
  await expect(tab).toHaveURL(/\/settings$/);
  await tab.getByRole("button", { name: "Grant “Contact you by phone”" }).click();
  const button = tab.getByTestId("miniapp-contact");
  await expect(button).toBeVisible();
  await button.click();
  await expect(tab.getByTestId("miniapp-contact-status")).toContainText("You did not share your number");
  expect(await phoneRows()).toBe(before);
  await tab.close();

  // Sharing: the signed contact is verified and saved, and the page shows it at once.
  const share = await context.newPage();
  await openInTelegram(share, app.origin, {
    initData: signedInitData({ id }),
    themeParams: LIGHT,
    contact: signedContact(id, "34612345699"),
  });
  await expect(share).toHaveURL(/\/settings$/);
  await share.getByTestId("miniapp-contact").click();
  await expect(
    share.getByRole("status").filter({ hasText: "Your phone number from Telegram is saved, encrypted." }),
  ).toBeVisible();
  await expect(share.getByTestId("stored-phone_contact")).toContainText("+34 612 34 56 99");
  expect(await phoneRows()).toBe(before + 1);
  expect((await tgLog(share)).calls).toContain("requestContact");
});

test("a person who signed in on the web reaches the same account and decisions in the Mini App", async ({
  app,
  page,
}) => {
  const id = freshTelegramId();
  const web = new Client(app.origin);
  await web.signIn({ id, first_name: "Webber" }, { ...ONLY_ACCOUNT, display_name: true });
  const webId = ((await (await web.get("/api/me")).json()) as { id: string }).id;
  const users = await countRows(app, "users");
  await openInTelegram(page, app.origin, {
    initData: signedInitData({ id, first_name: "Webber" }),
    themeParams: LIGHT,
  });
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByTestId("stored-display_name")).toContainText("Webber");
  const mine = await page.request.get(`${app.origin}/api/me`);
  expect(((await mine.json()) as { id: string }).id).toBe(webId);
  expect(await countRows(app, "users")).toBe(users);
  const states = await query<{ purpose_id: string; granted: unknown }>(
    app,
    "SELECT purpose_id, granted FROM consent_states WHERE user_id = $1",
    [webId],
  );
  const granted = states.filter((r) => r.granted === true || r.granted === 1).map((r) => r.purpose_id);
  expect(granted.sort()).toEqual(["account", "display_name"]);
});
