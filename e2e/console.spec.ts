// A clean browser console on every page, in every state a person meets it: no error or warning
// logged by the page or by Chromium about our headers, and no request of the page's that fails
// (a missing favicon is a 404 in every console).
import type { Page } from "@playwright/test";
import { EVERYTHING, signedPayload } from "../tests/support/client";
import { expect, freshTelegramId, testWithApp } from "./fixtures";

const ADMIN_ID = "5599000000002";
const test = testWithApp({ label: "e2e-console", env: { ADMIN_TELEGRAM_IDS: ADMIN_ID } });

/** Everything the console or the network says went wrong while the page was open. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text().slice(0, 200)}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message.slice(0, 200)}`));
  // ERR_ABORTED is the browser dropping its own prefetch when the page moves on: not a failure.
  page.on("requestfailed", (r) => {
    if (r.failure()?.errorText !== "net::ERR_ABORTED")
      problems.push(`failed request: ${new URL(r.url()).pathname} (${r.failure()?.errorText})`);
  });
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    // The page's own navigation may be a deliberate 404 or 403; anything it loads may not.
    if (r.status() >= 400 && r.request().resourceType() !== "document") problems.push(`${r.status()}: ${path}`);
  });
  return problems;
}

async function visit(page: Page, url: string, problems: string[]): Promise<void> {
  const res = await page.goto(url);
  await page.waitForLoadState("networkidle");
  // A page that is rightly a 404 or 403 makes Chromium log that status once: that line is the
  // truth about the page, not a fault of it.
  const own = `error: Failed to load resource: the server responded with a status of ${res?.status()}`;
  const i = (res?.status() ?? 0) >= 400 ? problems.findIndex((p) => p.startsWith(own)) : -1;
  if (i >= 0) problems.splice(i, 1);
  expect(problems, `console of ${url}`).toEqual([]);
  problems.length = 0;
}

test("signed out: the start page, a missing page, the pages that need a session", async ({ app, page }) => {
  const problems = watchConsole(page);
  for (const path of [
    "/",
    "/no-such-page",
    "/settings",
    "/admin",
    "/consent",
    "/?cancelled=1",
    "/sign-in-failed?reason=restart",
    "/tg",
  ]) {
    await visit(page, `${app.origin}${path}`, problems);
  }
  // What the browser asks for by itself, and what crawlers ask for.
  for (const path of ["/favicon.ico", "/robots.txt"]) {
    const res = await page.request.get(`${app.origin}${path}`);
    expect(res.status(), path).toBe(200);
  }
  expect(await (await page.request.get(`${app.origin}/robots.txt`)).text()).toMatch(/Disallow: \/\s/);
});

test("a first sign-in's consent page", async ({ app, page }) => {
  const problems = watchConsole(page);
  await page.goto(app.origin);
  await page.evaluate(
    async (body) => {
      await fetch("/api/auth/telegram", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    },
    signedPayload({ id: freshTelegramId(), first_name: "Quiet", last_name: "Console" }),
  );
  await visit(page, `${app.origin}/consent`, problems);
});

test("signed in, and the admin report", async ({ app, page, signedIn }) => {
  const problems = watchConsole(page);
  await signedIn({ id: ADMIN_ID, first_name: "Quiet", last_name: "Admin", username: "quiet_admin" }, EVERYTHING);
  for (const path of ["/", "/settings", "/settings/delete", "/settings/export", "/settings/receipt", "/admin"]) {
    await visit(page, `${app.origin}${path}`, problems);
  }
});
