// The specs' shared helpers, one copy each: one production server per spec file on a fresh database
// (testWithApp, testWithDemo), a signed-in browser without clicking through Telegram every time (the
// sign-in still goes through the real POST /api/auth/telegram with a payload signed by the test bot
// token), a first sign-in through the page's own fetch, the demo's persona sign-in, the axe check and
// the page checks of the page matrix.
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import axe from "axe-core";
import { LOCALES, type Locale } from "../lib/i18n/locales";
import { NAMESPACES } from "../lib/i18n/namespaces";
import { Client, ONLY_ACCOUNT, signedPayload, type Profile } from "../tests/support/client";
import { freshDatabase } from "../tests/support/databases";
import { allMessages } from "../tests/support/messages";
import { startApp, type StartOptions, type TestApp } from "../tests/support/server";

export { expect };
export { secretsOf } from "../tests/support/consistency";

export async function signInContext(
  app: TestApp,
  context: BrowserContext,
  profile: Profile,
  decisions: Record<string, boolean> = ONLY_ACCOUNT,
): Promise<Client> {
  const client = new Client(app.origin);
  await client.signIn(profile, decisions);
  await copyCookies(client, context);
  return client;
}

/** A first sign-in left waiting for consent: the browser opens /consent with Telegram's values. */
export async function pendingSignInContext(app: TestApp, context: BrowserContext, profile: Profile): Promise<Client> {
  const client = new Client(app.origin);
  const res = await client.request("POST", "/api/auth/telegram", { json: signedPayload(profile) });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}`);
  await copyCookies(client, context);
  return client;
}

async function copyCookies(client: Client, context: BrowserContext): Promise<void> {
  await context.addCookies(
    [...client.cookies].map(([name, value]) => ({
      name,
      value,
      domain: "localhost",
      path: "/",
      httpOnly: true,
      secure: true,
      sameSite: "Lax" as const,
    })),
  );
}

/** Page events a test may listen to: their listeners are removed when the shared tab passes on. */
const TEST_EVENTS = [
  "console",
  "pageerror",
  "request",
  "response",
  "requestfailed",
  "requestfinished",
  "download",
  "dialog",
  "popup",
  "framenavigated",
  "load",
  "domcontentloaded",
  "filechooser",
  "websocket",
  "worker",
] as const;

/**
 * The browser tab a spec file's tests share, one per worker. A new tab is a new renderer process
 * that compiles the app's scripts again: measured here, a new context and tab and one page load
 * cost Chromium 1.3-2.0 s of CPU, the same load in a tab already open 0.3 s, and most journeys are
 * only a few loads. Each test starts with no cookies and no granted permissions, and after it the
 * tab loses the test's listeners, routes, headers, media emulation, viewport and session storage,
 * and leaves the app's page for its robots.txt (a static file of the same site, so the renderer is
 * kept; about:blank would start a new one), so nothing of the page keeps running into the next
 * test. A test that adds init scripts (which cannot be removed) asks for a tab of its own with
 * `test.use({ ownTab: true })`; one that needs other context options (no JavaScript, a locale) opens
 * a context of its own.
 */
const test = base.extend<{ ownTab: boolean }, { shared: { context: BrowserContext; tab: Page | null } }>({
  ownTab: [false, { option: true }],
  shared: [
    async ({ browser }, use) => {
      const context = await browser.newContext();
      await use({ context, tab: null });
      await context.close();
    },
    { scope: "worker" },
  ],
  context: async ({ shared }, use) => {
    await shared.context.clearCookies();
    await shared.context.clearPermissions();
    await use(shared.context);
    for (const page of shared.context.pages()) if (page !== shared.tab) await page.close();
  },
  page: async ({ shared, context, ownTab }, use) => {
    if (ownTab) {
      const own = await context.newPage();
      await use(own);
      await own.close();
      return;
    }
    if (!shared.tab || shared.tab.isClosed()) shared.tab = await context.newPage();
    const tab = shared.tab;
    const viewport = tab.viewportSize();
    await use(tab);
    try {
      for (const event of TEST_EVENTS) tab.removeAllListeners(event);
      await tab.unrouteAll({ behavior: "ignoreErrors" });
      await tab.setExtraHTTPHeaders({});
      await tab.emulateMedia({ media: null, colorScheme: null, reducedMotion: null, forcedColors: null });
      if (viewport) await tab.setViewportSize(viewport);
      if (/^https?:/.test(tab.url())) {
        await tab.evaluate(() => sessionStorage.clear()).catch(() => undefined);
        await tab.goto(new URL("/robots.txt", tab.url()).href);
      }
    } catch {
      // A tab the test left unusable (crashed, stuck in a dialog): the next test opens a new one.
      await tab.close().catch(() => undefined);
      shared.tab = null;
    }
  },
});

let counter = 800_000_000 + Math.floor(Math.random() * 1_000_000);
export const freshTelegramId = () => String(counter++);

type WorkerFixtures = { app: TestApp };
/** A person's profile; a fresh Telegram id when it names none. */
type PersonProfile = Omit<Profile, "id"> & { id?: string };
type TestFixtures = {
  signedIn: (profile: Profile, decisions?: Record<string, boolean>) => Promise<Page>;
  /** Signs the browser in as a new person with these decisions: their API client and account id. */
  person: (profile: PersonProfile, decisions?: Record<string, boolean>) => Promise<{ client: Client; userId: string }>;
};

export function testWithApp(options: Omit<StartOptions, "label"> & { label: string }) {
  return test.extend<TestFixtures, WorkerFixtures>({
    app: [
      async ({}, use) => {
        const app = await startApp(options);
        await use(app);
        await app.stop();
        await app.db.drop();
      },
      { scope: "worker" },
    ],
    signedIn: async ({ app, context, page }, use) => {
      await use(async (profile, decisions) => {
        await signInContext(app, context, profile, decisions);
        return page;
      });
    },
    person: async ({ app, context }, use) => {
      await use(async (profile, decisions) => {
        const client = await signInContext(
          app,
          context,
          { ...profile, id: profile.id ?? freshTelegramId() },
          decisions,
        );
        return { client, userId: await userIdOf(client) };
      });
    },
  });
}

// ---- Page checks shared by the page matrix (e2e/matrix.spec.ts) and the issue-22 specs ----

/** The user id behind a signed-in client (GET /api/me). */
export async function userIdOf(client: Client): Promise<string> {
  return ((await (await client.get("/api/me")).json()) as { id: string }).id;
}

/** Sets the page language the way the switcher does (proxy.ts turns ?lang= into the `lang` cookie). */
export async function useLanguage(context: BrowserContext, origin: string, locale: string): Promise<void> {
  await context.addCookies([{ name: "lang", value: locale, url: origin }]);
}

/** axe at the page's current width: the serious and critical violations, named. */
export const seriousAxe = (page: Page): Promise<string[]> => axeProblems(page);

/** Every message, per language, by its full key ("settings.notices.welcome"). */
export const MESSAGES: Record<Locale, Map<string, string>> = Object.fromEntries(
  LOCALES.map((locale) => [locale, allMessages(locale, NAMESPACES)]),
) as Record<Locale, Map<string, string>>;

/**
 * The English wording a page in another language must not show: the fixed stretches of every
 * English message (between its arguments and tags) of four words or more, unless the same stretch
 * is in that language's messages too (a product name, an environment variable).
 */
function englishStretches(locale: Locale): string[] {
  const own = [...MESSAGES[locale].values()].join("\n");
  const out = new Set<string>();
  for (const text of MESSAGES.en.values()) {
    for (const part of text.split(/\{[^{}]*\}|<\/?[a-z]+>|[{}]/)) {
      const s = part.replace(/\s+/g, " ").trim();
      if (s.split(" ").filter((w) => /[A-Za-z]{2,}/.test(w)).length >= 4 && !own.includes(s)) out.add(s);
    }
  }
  return [...out];
}
const ENGLISH = Object.fromEntries(LOCALES.map((l) => [l, l === "en" ? [] : englishStretches(l)])) as Record<
  Locale,
  string[]
>;
const ALL_KEYS = new Set(MESSAGES.en.keys());

export type PageReport = { overflow: string | null; brokenImages: string[]; rawKeys: string[]; english: string[] };

/**
 * What the page matrix checks on the page as it is now: no horizontal overflow, no broken image,
 * no raw message key (next-intl shows "ns.key" for a missing message), and on a page in another
 * language no English sentence outside names (<bdi>), code and the admin area (lang="en").
 */
export async function inspectPage(page: Page, locale: Locale): Promise<PageReport> {
  // A picture that fails is replaced by its placeholder once scripts ran: wait for both.
  await page.waitForLoadState("load");
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  // Hydration may come after the picture failed (seconds later on a loaded machine, when 50 ms did
  // not cover it); a picture still broken 10 s on is reported below.
  await page
    .waitForFunction(
      () => ![...document.images].some((i) => i.complete && i.naturalWidth === 0 && i.getClientRects().length > 0),
      undefined,
      { timeout: 10_000 },
    )
    .catch(() => undefined);
  const facts = await page.evaluate(() => {
    const root = document.documentElement;
    const broken = [...document.images]
      .filter((i) => i.complete && i.naturalWidth === 0 && i.getClientRects().length > 0)
      .map((i) => i.currentSrc || i.src);
    // Text a person reads in the page's language: outside <bdi> (names, values), code, <time>'s
    // machine form and any element marked English (the admin area).
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const texts: string[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest("script,style,noscript,template,bdi,code,[lang='en'],[hidden]")) continue;
      if (!el.getClientRects().length) continue;
      texts.push(n.textContent ?? "");
    }
    return {
      scrollWidth: root.scrollWidth,
      clientWidth: root.clientWidth,
      broken,
      texts,
      allText: document.body.innerText,
    };
  });
  const rawKeys = [...new Set(facts.allText.match(/\b[a-z][A-Za-z]*(?:\.[A-Za-z0-9_]+)+\b/g) ?? [])].filter((k) =>
    ALL_KEYS.has(k),
  );
  const text = facts.texts.join(" ").replace(/\s+/g, " ");
  // Stretches of the English messages, and any other text (a hard-coded string, an operator's
  // setting) with three or more English function words in one run.
  const english =
    locale === "en"
      ? []
      : [
          ...ENGLISH[locale].filter((s) => text.includes(s)),
          ...facts.texts.filter(
            (t) => (t.match(/\b(the|and|you|your|we|is|are|of|to|not|with|this|for|has)\b/gi)?.length ?? 0) >= 3,
          ),
        ];
  return {
    overflow:
      facts.scrollWidth > facts.clientWidth ? `page is ${facts.scrollWidth} px wide in ${facts.clientWidth} px` : null,
    brokenImages: facts.broken,
    rawKeys,
    english,
  };
}

/**
 * A spec's demo server: demo mode runs on SQLite only (lib/core/env.ts refuses it on PostgreSQL), whichever
 * database the suite targets, and listens on loopback alone, as the demo requires.
 */
export function testWithDemo(label: string, env: Record<string, string> = {}, unset: string[] = []) {
  return test.extend<object, { demo: TestApp }>({
    demo: [
      async ({}, use) => {
        const app = await startApp({
          label,
          env: { DEMO_MODE: "1", ...env },
          unset,
          db: await freshDatabase(label, "sqlite"),
          host: "127.0.0.1",
        });
        await use(app);
        await app.stop();
        await app.db.drop();
      },
      { scope: "worker" },
    ],
  });
}

/**
 * A demo persona's sign-in through the home page's button. A first sign-in answers the consent page
 * (granting the purposes titled in `grant`) and lands on the welcome; a returning persona lands on
 * settings, where there is nothing to grant.
 */
export async function demoSignIn(page: Page, app: TestApp, name: string, grant: string[] = []): Promise<void> {
  await page.context().clearCookies();
  await page.goto(app.origin);
  await page.getByRole("button", { name: `Demo sign-in as ${name}` }).click();
  await expect(page).toHaveURL(/\/(consent|settings)$/);
  if (page.url().endsWith("/settings")) {
    expect(grant, `${name} has decided already: grant on the settings page instead`).toEqual([]);
    return;
  }
  for (const purpose of grant) await page.getByRole("checkbox", { name: purpose }).check();
  await page.getByRole("button", { name: "Save my choices" }).click();
  // The welcome notice is said once, then its parameter leaves the address.
  await expect(page).toHaveURL(/\/settings(\?welcome=1)?$/);
}

/**
 * A first sign-in through the page's own fetch, as the Login Widget's callback does it (a POST, never
 * a URL): the browser then holds a pending sign-in. Returns where the answer sends it ("/consent").
 */
export async function postSignIn(page: Page, origin: string, profile: Profile): Promise<string> {
  await page.goto(origin);
  return page.evaluate(async (body) => {
    const res = await fetch("/api/auth/telegram", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return (await res.json()).next as string;
  }, signedPayload(profile));
}

/** postSignIn, then the consent page it leads to. */
export async function pendingSignIn(page: Page, origin: string, profile: Profile): Promise<void> {
  expect(await postSignIn(page, origin, profile)).toBe("/consent");
  await page.goto(`${origin}/consent`);
}

/** What axe finds serious or critical on the page as it is now, one line per problem. */
export async function axeProblems(page: Page, where = ""): Promise<string[]> {
  // Next streams a dynamic page's metadata after its content, and after a client-side navigation
  // sets the title a moment after the new page shows: axe run in that moment reported
  // "document-title" on a page that has one (demo.spec, 7 December). Wait for a title as a person's
  // screen reader would; a page that never gets one still fails below, after 5 s.
  await page.waitForFunction(() => document.title.trim() !== "", null, { timeout: 5_000 }).catch(() => {});
  // axe-core's own API: its source injected once per document (into every frame, as axe expects),
  // then axe.run with all its rules. @axe-core/playwright's analyze() injected the source twice per
  // call and finished each run in a new blank page: 1.0-1.7 s a run on the settings page, where
  // this takes 0.2 s to inject and 0.05-0.15 s to run (measured side by side, December 2026).
  for (const frame of page.frames()) {
    if (await frame.evaluate(() => "axe" in window).catch(() => true)) continue;
    await frame.evaluate(axe.source);
  }
  // Violations only: axe then skips collecting the passing nodes, which is most of its time.
  const violations = await page.evaluate(async () => {
    const { axe: inPage } = window as unknown as { axe: typeof axe };
    const result = await inPage.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${where}${v.id} (${v.impact}): ${v.nodes.join(", ")}`);
}

/** No serious or critical axe problem at a desktop and a phone width; the page is left at 1280 px. */
export async function expectNoSeriousAxe(page: Page, where = ""): Promise<void> {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await axeProblems(page, `${where ? `${where}: ` : ""}at ${width}px: `)).toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
