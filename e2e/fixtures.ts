// Fixtures: one production server per spec file on a fresh database, and a way to get a signed-in
// browser without clicking through Telegram every time (the sign-in still goes through the real
// POST /api/auth/telegram with a payload signed by the test bot token).
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { Client, ONLY_ACCOUNT, type Profile } from "../tests/support/client";
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
