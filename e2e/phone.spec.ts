// Issue 6 in Chromium: the OpenID Connect button through a local provider that behaves like
// Telegram, the phone scope asked for only after the phone purpose is granted, and the refusals
// (tampered, expired, wrong audience, wrong state, replayed code) leaving nothing stored.
import { test as base, type Page } from "@playwright/test";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { blindIndex } from "../lib/crypto/fields";
import { countRows, query, rawDatabaseBytes } from "../tests/support/inspect";
import { startTestProvider, type TestProvider } from "../tests/support/oidc-provider";
import { startApp, type TestApp } from "../tests/support/server";
import { expect, freshTelegramId } from "./fixtures";

const test = base.extend<object, { stack: { app: TestApp; provider: TestProvider } }>({
  stack: [
    async ({}, use) => {
      const provider = await startTestProvider({ user: { id: 1, sub: "1" } });
      const app = await startApp({
        label: "e2e-phone",
        env: {
          TELEGRAM_OIDC_ISSUER: provider.issuer,
          TELEGRAM_OIDC_CLIENT_ID: provider.clientId,
          TELEGRAM_OIDC_CLIENT_SECRET: provider.clientSecret,
        },
      });
      provider.redirectUri = `${app.origin}/api/auth/oidc/callback`;
      await use({ app, provider });
      await app.stop();
      await app.db.drop();
      await provider.close();
    },
    { scope: "worker" },
  ],
});

/** A new person at the mock provider (a Telegram id beyond 2^53 in `sub`), logging in from the home page. */
async function oidcLogIn(page: Page, app: TestApp, provider: TestProvider, name: string, phone: string) {
  const id = Number(freshTelegramId());
  provider.user = {
    id,
    sub: `${9_007_199_254_740_993n + BigInt(id)}`,
    name,
    preferred_username: `${name.toLowerCase()}_oidc`,
    phone_number: phone,
  };
  await page.goto(app.origin);
  await page.getByRole("link", { name: "Log in with Telegram (OpenID Connect)" }).click();
}

test("OIDC sign-in, then the phone number only after the phone purpose; bad answers store nothing", async ({
  stack: { app, provider },
  page,
}) => {
  await oidcLogIn(page, app, provider, "Nadia", "4915123456789");
  await expect(page).toHaveURL(/\/consent$/);
  expect(await countRows(app, "users")).toBe(0);
  expect(provider.authorizations.at(-1)!.scope).toBe("openid profile");
  await page.getByRole("checkbox", { name: "Greet you by name" }).check();
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page).toHaveURL(/\/settings(\?welcome=1)?$/);
  await expect(page.getByTestId("stored-display_name")).toContainText("Nadia");
  expect(await countRows(app, "users")).toBe(1);
  await expect(page.getByRole("link", { name: "Share my phone number via Telegram" })).toHaveCount(0);

  await page.getByRole("button", { name: "Grant “Contact you by phone”" }).click();
  await expect(page.getByText("Granted: Contact you by phone")).toBeVisible();
  // The way to share appears at once, in the card just granted.
  const share = page.getByRole("link", { name: "Share my phone number via Telegram" });
  await expect(share).toBeVisible();
  const phoneRows = () => countRows(app, "user_fields", "field = 'phone_number'");

  // Each of these answers is refused and stores nothing: a browser lands on a page that says so
  // (not raw JSON), a client that asks for JSON gets the contract's 401.
  for (const misbehave of [{ tamper: true }, { expired: true }, { audience: "999999" }]) {
    provider.misbehave = misbehave;
    await page.goto(`${app.origin}/api/auth/oidc/start?intent=phone`);
    await expect(
      page.getByRole("heading", { level: 1, name: "Telegram sign-in did not complete" }),
      JSON.stringify(misbehave),
    ).toBeVisible();
    await expect(page.getByRole("main")).toContainText(/could not confirm this sign-in/);
    await expect(page.getByRole("link", { name: "Back to your data" })).toBeVisible();
  }
  {
    provider.misbehave = { tamper: true };
    const start = await page.request.get(`${app.origin}/api/auth/oidc/start?intent=phone`, { maxRedirects: 0 });
    const authorize = await page.request.get(start.headers().location!, { maxRedirects: 0 });
    const refused = await page.request.get(authorize.headers().location!, {
      maxRedirects: 0,
      headers: { accept: "application/json" },
    });
    expect(refused.status()).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toMatch(/could not confirm this sign-in/);
  }
  provider.misbehave = {};
  expect(await phoneRows()).toBe(0);

  // Playwright does not reroute redirects, so walk start → provider with the browser's own cookie
  // jar (page.request shares it) and open the edited callback in the page.
  async function callbackUrl(): Promise<URL> {
    const start = await page.request.get(`${app.origin}/api/auth/oidc/start?intent=phone`, { maxRedirects: 0 });
    expect(start.status()).toBe(303);
    const authorize = await page.request.get(start.headers().location!, { maxRedirects: 0 });
    return new URL(authorize.headers().location!);
  }
  const wrongState = await callbackUrl();
  wrongState.searchParams.set("state", "not-the-state-we-sent");
  await page.goto(wrongState.toString());
  await expect(page.getByRole("main")).toContainText("not the one we started");
  expect(await phoneRows()).toBe(0);

  // The real thing: back on the settings page with the number, in E.164.
  await page.goto(`${app.origin}/settings`);
  const seen: string[] = [];
  page.on("request", (r) => r.url().includes("/api/auth/oidc/callback") && seen.push(r.url()));
  await page.getByRole("link", { name: "Share my phone number via Telegram" }).click();
  await expect(page).toHaveURL(/\/settings(\?phone=saved)?$/);
  await expect(page.getByTestId("stored-phone_contact")).toContainText(
    parsePhoneNumberFromString("+4915123456789")!.formatInternational(),
  );
  expect(provider.authorizations.at(-1)!.scope).toBe("openid profile phone");
  expect(await phoneRows()).toBe(1);

  // Replays: the same callback again (its flow cookie is spent), and its code under a fresh state.
  const used = new URL(seen.at(-1)!);
  await page.goto(used.toString());
  await expect(page.getByRole("main")).toContainText("not the one we started");
  const replay = await callbackUrl();
  replay.searchParams.set("code", used.searchParams.get("code")!);
  await page.goto(replay.toString());
  await expect(page.getByRole("main")).toContainText(/could not confirm this sign-in/);
  expect(provider.tokenRequests.at(-1)).toEqual({ ok: false, error: "invalid_grant" });

  // Withdrawing erases the number at once.
  await page.goto(`${app.origin}/settings`);
  await page.getByRole("button", { name: "Withdraw “Contact you by phone”" }).click();
  await expect(page.getByText(/Erased now: Phone number/)).toBeVisible();
  expect(await phoneRows()).toBe(0);
});

test("issue 22 item 13: a kept number is replaced by sharing the new one, through the same path (own, E.164, encrypted, blind-indexed)", async ({
  stack: { app, provider },
  page,
}) => {
  await oidcLogIn(page, app, provider, "Rhea", "4915123450001");
  await page.getByRole("checkbox", { name: "Contact you by phone" }).check();
  await page.getByRole("button", { name: "Save my choices" }).click();
  await page.getByRole("link", { name: "Share my phone number via Telegram" }).click();
  const stored = page.getByTestId("stored-phone_contact");
  // Grouped or not, the number is the first one (the grouping is item 7's; this test is about replacing).
  await expect(stored).toContainText(/\+49 ?1512 ?3450001/);
  const userId = ((await (await page.request.get(`${app.origin}/api/me`)).json()) as { id: string }).id;

  // The number changed: settings offer the same way again, and the new number takes the old one's place.
  provider.user = { ...provider.user, phone_number: "4915123450002" };
  await page.getByRole("link", { name: "Share a new phone number via Telegram" }).click();
  await expect(page).toHaveURL(/\/settings(\?phone=saved)?$/);
  await expect(stored).toContainText(parsePhoneNumberFromString("+4915123450002")!.formatInternational());
  await expect(stored).not.toContainText("0001");
  expect(provider.authorizations.at(-1)!.scope).toBe("openid profile phone");

  const rows = await query<{ ciphertext: Uint8Array; blind_index: string }>(
    app,
    "SELECT ciphertext, blind_index FROM user_fields WHERE user_id = $1 AND field = 'phone_number'",
    [userId],
  );
  expect(rows).toHaveLength(1);
  const blindKey = Buffer.from(app.env.BLIND_INDEX_KEY!, "base64");
  expect(rows[0]!.blind_index).toBe(blindIndex(blindKey, "phone_number", "+4915123450002"));
  const bytes = await rawDatabaseBytes(app);
  for (const n of ["4915123450001", "4915123450002"]) expect(bytes.includes(Buffer.from(n))).toBe(false);
  expect(await countRows(app, "audit_events", "type = 'phone.stored' AND subject_id = $1", [userId])).toBe(2);
});
