// Fixtures: one production server per spec file on a fresh database, and a way to get a signed-in
// browser without clicking through Telegram every time (the sign-in still goes through the real
// POST /api/auth/telegram with a payload signed by the test bot token).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { LOCALES, type Locale } from "../lib/i18n/locales";
import { NAMESPACES } from "../lib/i18n/namespaces";
import { Client, ONLY_ACCOUNT, signedPayload, type Profile } from "../tests/support/client";
import { startApp, type StartOptions, type TestApp } from "../tests/support/server";

export { expect };

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

let counter = 800_000_000 + Math.floor(Math.random() * 1_000_000);
export const freshTelegramId = () => String(counter++);

type WorkerFixtures = { app: TestApp };
type TestFixtures = { signedIn: (profile: Profile, decisions?: Record<string, boolean>) => Promise<Page> };

export function testWithApp(options: Omit<StartOptions, "label"> & { label: string }) {
  return base.extend<TestFixtures, WorkerFixtures>({
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
export async function seriousAxe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

type Tree = { [key: string]: string | Tree };
function flatten(tree: Tree, prefix: string, out: Map<string, string>): Map<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else flatten(value, path, out);
  }
  return out;
}

/** Every message, per language, by its full key ("settings.notices.welcome"). */
export const MESSAGES: Record<Locale, Map<string, string>> = Object.fromEntries(
  LOCALES.map((locale) => {
    const all = new Map<string, string>();
    for (const ns of NAMESPACES)
      flatten(
        JSON.parse(readFileSync(join(import.meta.dirname, "../messages", locale, `${ns}.json`), "utf8")) as Tree,
        ns,
        all,
      );
    return [locale, all];
  }),
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
  await page.waitForTimeout(50);
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
