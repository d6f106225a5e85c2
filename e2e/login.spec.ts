// The sign-in journeys of issue 2: the demo sign-in and a payload signed by the test bot token,
// both through the real verification; logout ends the session and the old cookie stops working.
import { Client } from "../tests/support/client";
import { query } from "../tests/support/inspect";
import { startApp, type TestApp } from "../tests/support/server";
import { expect, freshTelegramId, postSignIn, testWithDemo } from "./fixtures";

const test = testWithDemo("e2e-demo").extend<object, { real: TestApp }>({
  real: [
    async ({}, use) => {
      const app = await startApp({ label: "e2e-login" });
      await use(app);
      await app.stop();
      await app.db.drop();
    },
    { scope: "worker" },
  ],
});

test("demo sign-in: consent, signed in, log out, the old cookie no longer works", async ({ demo, page, context }) => {
  await page.goto(demo.origin);
  await expect(page.getByRole("note")).toContainText("Demo mode");
  await page.getByRole("button", { name: "Demo sign-in as Ada" }).click();
  await expect(page).toHaveURL(/\/consent$/);
  await expect(page.getByRole("heading", { name: "Before we create your account" })).toBeVisible();
  // Only the required purpose is preselected.
  await expect(page.getByRole("checkbox", { name: "Your account" })).toBeChecked();
  for (const name of [
    "Greet you by name",
    "Show your Telegram username",
    "Show your profile photo",
    "Contact you by phone",
  ]) {
    await expect(page.getByRole("checkbox", { name })).not.toBeChecked();
  }
  await page.getByRole("checkbox", { name: "Greet you by name" }).check();
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page).toHaveURL(/\/settings(\?welcome=1)?$/);
  await expect(page.getByTestId("stored-display_name")).toContainText("Ada");
  await expect(page.getByTestId("stored-display_name")).toContainText("Lovelace");
  await expect(page.getByTestId("stored-username")).toHaveText("Nothing.");

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "session")!;
  expect(session.httpOnly).toBe(true);
  expect(session.sameSite).toBe("Lax");

  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page).toHaveURL(/\/\?signed-out=1$/);
  await expect(page.getByRole("button", { name: "Demo sign-in as Ada" })).toBeVisible();

  // A copy of the cookie taken before logout no longer works: logout deleted its session row.
  const stale = new Client(demo.origin);
  stale.cookies.set("session", session.value);
  expect((await stale.get("/api/me")).status).toBe(401);
});

test("a payload signed by the test bot token signs in through the real callback", async ({ real, page }) => {
  const id = freshTelegramId();
  await page.goto(real.origin);
  await expect(page.getByRole("button", { name: "Log in with Telegram" })).toBeVisible();
  // The page's own fetch, as the Telegram.Login.auth callback does it: POST, never a URL.
  const next = await postSignIn(page, real.origin, { id, first_name: "Playwright" });
  expect(next).toBe("/consent");
  await page.goto(real.origin + next);
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page).toHaveURL(/\/settings/);
  await expect(page.getByRole("heading", { name: /^Your data/ })).toBeVisible();
  const users = await query(real, "SELECT id FROM users");
  expect(users).toHaveLength(1);

  // Log out everywhere ends this session; the old cookie then gets 401 from the API.
  const before = (await page.context().cookies()).find((c) => c.name === "__Host-session");
  expect(before).toBeTruthy();
  await page.getByRole("button", { name: "Log out on every device" }).click();
  await expect(page).toHaveURL(/signed-out=1/);
  const stale = new Client(real.origin);
  stale.cookies.set("__Host-session", before!.value);
  expect((await stale.get("/api/me")).status).toBe(401);
});
