// Issue 14 in Chromium: what a person sees is the truth at every moment. Settings change in place
// after Grant or Withdraw (with and without JavaScript), the consent page shows the values Telegram
// sent, every purpose visibly delivers, phone purposes lead somewhere, the controller is named, the
// copies are readable, the edges of the main path say what happened, and Grant and Withdraw weigh
// the same.
import type { Page } from "@playwright/test";
import { Client, ONLY_ACCOUNT } from "../tests/support/client";
import { countRows, query, rawDatabaseBytes } from "../tests/support/inspect";
import {
  demoSignIn,
  expect,
  freshTelegramId,
  pendingSignIn,
  signInContext,
  testWithApp,
  testWithDemo,
} from "./fixtures";

const CONTROLLER = {
  CONTROLLER_NAME: "Lovelace Analytics Ltd",
  CONTROLLER_CONTACT: "privacy@lovelace.example",
  PRIVACY_POLICY_URL: "https://lovelace.example/privacy",
};
const test = testWithApp({ label: "e2e-truth", env: CONTROLLER });

// A purpose's card is the region its heading names (the heading also holds its badges).
const card = (page: Page, title: string) => page.getByRole("region", { name: title });

test("1. Withdraw and Grant change the card at once: badge, stored values, button, purge dates", async ({
  app,
  page,
  person,
}) => {
  const { userId } = await person(
    { first_name: "Livia", last_name: "Lively", username: "livia_live" },
    { ...ONLY_ACCOUNT, display_name: true, username: true },
  );
  await page.goto(`${app.origin}/settings`);
  const name = card(page, "Greet you by name");
  await expect(name.getByTestId("stored-display_name")).toContainText("Lively");
  await expect(name).toContainText("deleted on");

  await name.getByRole("button", { name: "Withdraw “Greet you by name”" }).click();
  await expect(name.getByRole("status")).toContainText("Erased now: First name, Last name.");
  await expect(name.getByText("not granted", { exact: true })).toBeVisible();
  await expect(name.getByTestId("stored-display_name")).toHaveText("Nothing.");
  await expect(name).not.toContainText("deleted on");
  await expect(name.getByRole("button", { name: "Grant “Greet you by name”" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).not.toContainText("Livia");
  expect(
    (
      await query<{ field: string }>(app, "SELECT field FROM user_fields WHERE user_id = $1 ORDER BY field", [userId])
    ).map((r) => r.field),
  ).toEqual(["telegram_id", "username"]);

  await name.getByRole("button", { name: "Grant “Greet you by name”" }).click();
  // A date for a person ("November 30, 2026"); the machine-readable one stays in <time datetime>.
  await expect(name.getByText(/^granted since [A-Z][a-z]+ \d{1,2}, \d{4}$/)).toBeVisible();
  await expect(name.getByRole("heading").locator("time")).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);
  await expect(name.getByRole("button", { name: "Withdraw “Greet you by name”" })).toBeVisible();
  await expect(name.getByRole("status")).toContainText("Granted: Greet you by name.");
});

test("1. without JavaScript the same forms post and land on a fresh page", async ({ app, browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  await signInContext(
    app,
    context,
    { id: freshTelegramId(), first_name: "Nora", last_name: "Noscript", username: "nora_noscript" },
    { ...ONLY_ACCOUNT, username: true },
  );
  const page = await context.newPage();
  await page.goto(`${app.origin}/settings`);
  const username = card(page, "Show your Telegram username");
  await expect(username.getByTestId("stored-username")).toContainText("nora_noscript");
  await username.getByRole("button", { name: "Withdraw “Show your Telegram username”" }).click();
  await expect(page).toHaveURL(/\/settings/);
  await expect(username.getByText("not granted", { exact: true })).toBeVisible();
  await expect(username.getByTestId("stored-username")).toHaveText("Nothing.");
  await expect(username.getByRole("button", { name: "Grant “Show your Telegram username”" })).toBeVisible();
  await username.getByRole("button", { name: "Grant “Show your Telegram username”" }).click();
  await expect(username.getByText(/^granted since/)).toBeVisible();
  await expect(username.getByRole("button", { name: "Withdraw “Show your Telegram username”" })).toBeVisible();
  await context.close();
});

test("2. the consent page shows the values Telegram sent, and marks what it did not send; nothing is stored", async ({
  app,
  page,
}) => {
  const users = await countRows(app, "users");
  await pendingSignIn(page, app.origin, {
    id: freshTelegramId(),
    first_name: "Ada",
    last_name: "Lovecraft",
    photo_url: "https://t.me/i/userpic/320/ada_consent.jpg",
  });
  await expect(page.getByTestId("consent-display_name")).toContainText("Ada Lovecraft");
  await expect(
    // The picture itself, or (offline, as here) its placeholder and the link as text.
    page
      .getByTestId("consent-profile_photo")
      .locator(
        'img[src="https://t.me/i/userpic/320/ada_consent.jpg"], a[href="https://t.me/i/userpic/320/ada_consent.jpg"]',
      ),
  ).toBeVisible();
  await expect(page.getByTestId("consent-username")).toContainText("Telegram sent no username: nothing to keep");
  await expect(page.getByRole("checkbox", { name: "Show your Telegram username" })).toBeDisabled();
  await expect(page.getByRole("checkbox", { name: "Greet you by name" })).toBeEnabled();
  expect(await countRows(app, "users")).toBe(users);
  const bytes = await rawDatabaseBytes(app);
  for (const v of ["Lovecraft", "ada_consent.jpg"]) expect(bytes.includes(v)).toBe(false);
});

test("3. each shipped purpose delivers: name, photo and username shown when granted, gone when withdrawn", async ({
  app,
  page,
  context,
}) => {
  const profile = {
    id: freshTelegramId(),
    first_name: "Greta",
    last_name: "Garbo",
    username: "greta_shows",
    photo_url: "https://t.me/i/userpic/320/greta.jpg",
  };
  await signInContext(app, context, profile, ONLY_ACCOUNT);
  await page.goto(`${app.origin}/settings`);
  const you = page.getByTestId("profile");
  await expect(you).not.toContainText("Garbo");
  await expect(you).not.toContainText("@greta_shows");
  await expect(you.locator("img, [data-testid=photo-failed]")).toHaveCount(0);
  // Granting applies to what the next sign-in from Telegram brings.
  for (const title of ["Greet you by name", "Show your Telegram username", "Show your profile photo"]) {
    await page.getByRole("button", { name: `Grant “${title}”` }).click();
    await expect(page.getByRole("button", { name: `Withdraw “${title}”` })).toBeVisible();
  }
  await signInContext(app, context, profile);
  await page.goto(`${app.origin}/settings`);
  await expect(you).toContainText("Greta Garbo");
  await expect(you).toContainText("@greta_shows");
  await expect(
    you.locator('img[src="https://t.me/i/userpic/320/greta.jpg"], a[href="https://t.me/i/userpic/320/greta.jpg"]'),
  ).toBeVisible();

  await page.getByRole("button", { name: "Withdraw “Show your profile photo”" }).click();
  await expect(you.locator("img, [data-testid=photo-failed]")).toHaveCount(0);
  await expect(you).toContainText("Greta Garbo");
  await page.getByRole("button", { name: "Withdraw “Show your Telegram username”" }).click();
  await expect(you).not.toContainText("@greta_shows");
  await page.getByRole("button", { name: "Withdraw “Greet you by name”" }).click();
  await expect(you).not.toContainText("Greta");
});

// "Contact you by phone" delivers when an admin can reach the person: the demo has the admin persona
// and the simulated sharing that a phone needs, so this one runs on its own demo server.
const demoTest = testWithDemo("e2e-truth-demo");

demoTest(
  "3. “Contact you by phone” delivers: the admin reaches the number while granted, not after withdrawal",
  async ({ demo, page }) => {
    const persona = (name: string) => demoSignIn(page, demo, name);
    const lookUp = async (reference: string) => {
      await persona("Margaret");
      await page.goto(`${demo.origin}/admin/contact`);
      await page.getByRole("textbox", { name: "Account reference" }).fill(reference);
      await page.getByRole("radio", { name: "Security problem with their account" }).check();
      await page.getByRole("button", { name: "Look up the phone number" }).click();
      return page.getByTestId("contact-result");
    };
    await persona("Alan");
    const phone = card(page, "Contact you by phone");
    await phone.getByRole("button", { name: "Grant “Contact you by phone”" }).click();
    await page.getByRole("link", { name: "Share a demo phone number (simulated)" }).click();
    await page.getByRole("button", { name: "Share +61 491 570 008 (simulated)" }).click();
    const reference = (await page.getByTestId("account-reference").locator("strong").innerText()).trim();

    await expect(await lookUp(reference)).toContainText("+61 491 570 008");
    await persona("Alan");
    await expect(phone.getByTestId("contact-lookups").getByRole("listitem")).toHaveCount(1);
    await phone.getByRole("button", { name: "Withdraw “Contact you by phone”" }).click();
    await expect(phone.getByText("not granted", { exact: true })).toBeVisible();

    const refused = await lookUp(reference);
    await expect(refused).toContainText("has not agreed to be contacted by phone");
    await expect(refused).not.toContainText("491");
  },
);

test("4. a phone purpose leads somewhere: with no way configured the page says so, and claims nothing from the next sign-in", async ({
  app,
  page,
  signedIn,
}) => {
  await signedIn({ id: freshTelegramId(), first_name: "Phoebe" });
  await page.goto(`${app.origin}/settings`);
  // The verification card keeps a date, not the number.
  const verify = card(page, "Confirm you have a phone number");
  await expect(verify).not.toContainText(/Data\s*Phone number/);
  await expect(verify).toContainText("the date of the check");
  const phone = card(page, "Contact you by phone");
  await phone.getByRole("button", { name: "Grant “Contact you by phone”" }).click();
  await expect(phone.getByRole("status")).toContainText("Granted: Contact you by phone.");
  await expect(phone.getByRole("status")).not.toContainText("next sign-in");
  await expect(phone).toContainText("This site has no way set up to receive your phone number from Telegram");
  await verify.getByRole("button", { name: "Grant “Confirm you have a phone number”" }).click();
  await expect(verify.getByRole("status")).not.toContainText("next sign-in");
});

test("5. the controller is named on the consent page, the settings, the receipt and the export", async ({
  app,
  page,
  context,
}) => {
  await pendingSignIn(page, app.origin, { id: freshTelegramId(), first_name: "Connie" });
  const who = page.getByRole("region", { name: "Who is asking" });
  await expect(who).toContainText("Lovelace Analytics Ltd");
  await expect(who.getByRole("link", { name: "privacy@lovelace.example" })).toHaveAttribute(
    "href",
    "mailto:privacy@lovelace.example",
  );
  await expect(who.getByRole("link", { name: /privacy policy/i })).toHaveAttribute(
    "href",
    "https://lovelace.example/privacy",
  );
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page).toHaveURL(/\/settings/);
  await expect(page.getByRole("region", { name: "Who is asking" })).toContainText("Lovelace Analytics Ltd");

  const client = new Client(app.origin);
  client.cookies = new Map((await context.cookies()).map((c) => [c.name, c.value]));
  const receipt = (await (await client.get("/api/me/receipt")).json()) as {
    piiControllers: { piiController: string; contact: string; email: string }[];
    policyUrl: string;
  };
  expect(receipt.piiControllers[0]).toMatchObject({
    piiController: "Lovelace Analytics Ltd",
    contact: "privacy@lovelace.example",
    email: "privacy@lovelace.example",
  });
  expect(receipt.policyUrl).toBe("https://lovelace.example/privacy");
  const exported = (await (await client.get("/api/me/export")).json()) as { controller: Record<string, string> };
  expect(exported.controller).toMatchObject({
    name: "Lovelace Analytics Ltd",
    contact: "privacy@lovelace.example",
    privacyPolicyUrl: "https://lovelace.example/privacy",
  });
});

test("6. readable, printable copies of the export and the receipt hold the same data as the JSON", async ({
  app,
  page,
  signedIn,
}) => {
  await signedIn(
    { id: freshTelegramId(), first_name: "Rita", username: "rita_reads" },
    { ...ONLY_ACCOUNT, display_name: true, username: true },
  );
  await page.goto(`${app.origin}/settings`);
  await page.getByRole("link", { name: "Read my data (printable)" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your data: a readable copy" })).toBeVisible();
  const json = (await page.evaluate(() => fetch("/api/me/export").then((r) => r.json()))) as {
    purposes: { id: string; stored: Record<string, { value: string; purgeAt: string }> }[];
  };
  const stored = json.purposes.find((p) => p.id === "username")!.stored.username!;
  await expect(page.getByTestId("copy-username")).toContainText(stored.value);
  const longDate = new Intl.DateTimeFormat("en", { dateStyle: "long", timeZone: "UTC" });
  await expect(page.getByTestId("copy-username")).toContainText(longDate.format(new Date(stored.purgeAt)));
  await expect(page.getByTestId("copy-username").locator(`time[datetime="${stored.purgeAt}"]`)).toHaveCount(1);
  await expect(page.getByRole("region", { name: "Consent history" })).toContainText("granted");
  await page.goto(`${app.origin}/settings`);
  await page.getByRole("link", { name: "Read my consent receipt (printable)" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your consent receipt" })).toBeVisible();
  const receipt = (await page.evaluate(() => fetch("/api/me/receipt").then((r) => r.json()))) as {
    consentReceiptID: string;
  };
  await expect(page.getByText(receipt.consentReceiptID)).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "Show your Telegram username" })).toBeVisible();
});

test("7. Cancel says nothing was stored; Back is not blank; a second tab gives the true reason", async ({
  app,
  page,
  context,
}) => {
  const users = await countRows(app, "users");
  await pendingSignIn(page, app.origin, { id: freshTelegramId(), first_name: "Cancella" });
  const second = await context.newPage();
  await second.goto(`${app.origin}/consent`);
  await page.getByRole("button", { name: "Cancel and do not create an account" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Nothing was stored" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  await page.goBack();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("main")).toContainText("Nothing was stored");

  await second.getByRole("button", { name: "Save my choices" }).click();
  const alert = second.locator("#consent-error");
  await expect(alert).toContainText("cancelled");
  await expect(alert).not.toContainText("expired (it is kept");
  expect(await countRows(app, "users")).toBe(users);
});

test("7. after deletion in one tab, the other tab's header does not stay signed in", async ({
  app,
  context,
  signedIn,
}) => {
  const page = await signedIn({ id: freshTelegramId(), first_name: "Tabitha" });
  await page.goto(`${app.origin}/settings`);
  const other = await context.newPage();
  await other.goto(`${app.origin}/settings`);
  await page.goto(`${app.origin}/settings/delete`);
  await page.getByRole("button", { name: "Yes, delete everything" }).click();
  await expect(page).toHaveURL(/\?erased=1$/);
  await other.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Your data" }).click();
  await expect(other).toHaveURL(/\/\?/);
  await expect(other.getByRole("button", { name: "Log out", exact: true })).toHaveCount(0);
  await expect(other.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Your data" })).toHaveCount(0);
});

test("7. signed out: /settings asks to sign in (not 'you are signed out'), /admin offers a way to sign in", async ({
  app,
  page,
}) => {
  await page.goto(`${app.origin}/settings`);
  await expect(page.getByRole("main")).not.toContainText("You are signed out");
  await expect(page.getByRole("status").filter({ hasText: "Sign in to see your data" })).toBeVisible();
  await page.goto(`${app.origin}/admin`);
  await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Sign in", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Log in with Telegram" })).toBeVisible();
});

test("7. focus moves to the page's heading after a navigation", async ({ app, page, signedIn }) => {
  await signedIn({ id: freshTelegramId(), first_name: "Focus" });
  await page.goto(app.origin);
  await page.getByRole("main").getByRole("link", { name: "See and manage your data" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  await page.getByRole("link", { name: "Delete my data…" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Delete all your data?" })).toBeFocused();
});

test("8. Grant and Withdraw weigh the same; a summary links to each card", async ({ app, page, signedIn }) => {
  await signedIn(
    { id: freshTelegramId(), first_name: "Equa", last_name: "Weight" },
    { ...ONLY_ACCOUNT, display_name: true },
  );
  await page.goto(`${app.origin}/settings`);
  const style = (name: string) =>
    page.getByRole("button", { name }).evaluate((b) => {
      const s = getComputedStyle(b);
      return [s.backgroundColor, s.color, s.borderTopWidth, s.borderTopColor, s.fontWeight, s.fontSize, s.paddingTop];
    });
  expect(await style("Withdraw “Greet you by name”")).toEqual(await style("Grant “Show your Telegram username”"));
  const summary = page.getByRole("region", { name: "Summary" });
  await expect(summary).toContainText("We keep 3 of 6 fields, for 2 purposes.");
  await summary.getByRole("link", { name: /Greet you by name/ }).click();
  await expect(page).toHaveURL(/#card-display_name$/);
  // Granting updates the summary at once too.
  await page.getByRole("button", { name: "Withdraw “Greet you by name”" }).click();
  await expect(summary).toContainText("We keep 1 of 6 fields, for 1 purpose.");
});
