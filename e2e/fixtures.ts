// The specs' shared helpers, one copy each: one production server per spec file on a fresh database
// (testWithApp, testWithDemo), a signed-in browser without clicking through Telegram every time (the
// sign-in still goes through the real POST /api/auth/telegram with a payload signed by the test bot
// token), a first sign-in through the page's own fetch, the demo's persona sign-in, and the axe check.
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { Client, ONLY_ACCOUNT, signedPayload, type Profile } from "../tests/support/client";
import { freshDatabase } from "../tests/support/databases";
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
  return client;
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

/**
 * A spec's demo server: demo mode runs on SQLite only (lib/env.ts refuses it on PostgreSQL), whichever
 * database the suite targets, and listens on loopback alone, as the demo requires.
 */
export function testWithDemo(label: string, env: Record<string, string> = {}) {
  return base.extend<object, { demo: TestApp }>({
    demo: [
      async ({}, use) => {
        const app = await startApp({
          label,
          env: { DEMO_MODE: "1", ...env },
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
  await expect(page).toHaveURL(/\/settings\?welcome=1$/);
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
  // Violations only: axe then skips collecting the passing nodes, which is most of its time.
  const result = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${where}${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** No serious or critical axe problem at a desktop and a phone width; the page is left at 1280 px. */
export async function expectNoSeriousAxe(page: Page, where = ""): Promise<void> {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await axeProblems(page, `${where ? `${where}: ` : ""}at ${width}px: `)).toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
