// The admin report reads well (issue 14 item 10): it uses the width of a desktop window, its
// per-day tables are collapsed until asked for (and open from the keyboard), and at 390 px it
// stays usable: no sideways scrolling of the page (a wide table scrolls in its own box), and axe
// finds nothing serious or critical at either width.
import { Client, EVERYTHING, ONLY_ACCOUNT } from "../tests/support/client";
import { axeProblems, expect, freshTelegramId, testWithApp } from "./fixtures";

const ADMIN_ID = "5599000000077";
const test = testWithApp({ label: "e2e-admin", env: { ADMIN_TELEGRAM_IDS: ADMIN_ID } });

// Measured on the report before this change, with the people below: 5,507 px high at 1280 x 800
// (the issue saw 5,500 px on the demo) and 10,376 px at 390 x 844, where it was also 502 px wide.
// The bound is half of that: the collapsed tables and the wider column save more, and the rest is
// room for a longer catalogue or a wrapped line. Release 0.2.0 added three short sections (the last
// ledger check, the records we keep about people and for how long): 3,173 px and 5,172 px measured
// with them, so the bounds grew by what they take, about 420 px at 1280 and 400 at 390.
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800, maxPageHeight: 3_400 },
  { name: "phone", width: 390, height: 844, maxPageHeight: 5_600 },
] as const;

test.beforeAll(async ({ app }) => {
  // Enough people that most cells are numbers, so the tables have their real widths.
  for (let i = 0; i < 12; i++) {
    const c = new Client(app.origin);
    await c.signIn(
      {
        id: freshTelegramId(),
        first_name: "Report",
        last_name: "Reader",
        username: `report_reader_${i}`,
        photo_url: "https://t.me/i/userpic/320/r.jpg",
      },
      i % 3 === 0 ? ONLY_ACCOUNT : EVERYTHING,
    );
  }
});

for (const vp of VIEWPORTS) {
  test(`at ${vp.width} px: short, collapsed per-day tables that open by keyboard, no sideways scroll, axe clean`, async ({
    app,
    page,
    signedIn,
  }) => {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await signedIn({ id: ADMIN_ID });
    await page.goto(`${app.origin}/admin`);
    await expect(page.getByRole("heading", { level: 1, name: "Data-minimization report" })).toBeVisible();

    const size = await page.evaluate(() => ({
      height: document.documentElement.scrollHeight,
      width: document.documentElement.scrollWidth,
      viewport: document.documentElement.clientWidth,
    }));
    console.log(
      `admin report at ${vp.width} px: page ${size.height} px high, ${size.width} px wide in a ${size.viewport} px viewport`,
    );
    expect(size.height).toBeLessThanOrEqual(vp.maxPageHeight);
    expect(size.width).toBeLessThanOrEqual(size.viewport);

    // Every per-day table is there for assistive technology and the keyboard, but closed.
    // Located by caption: a table inside a closed <details> is not in the accessibility tree.
    const perDay = page.locator("table", { has: page.locator("caption", { hasText: /per day/i }) });
    const tables = await perDay.count();
    expect(tables).toBeGreaterThan(0);
    for (let i = 0; i < tables; i++) await expect(perDay.nth(i)).toBeHidden();

    // The all-purposes one is in the tab order and opens (and closes) with Enter.
    const allDays = page.locator("table", {
      has: page.locator("caption", { hasText: /^Per day, last 28 days, all purposes$/ }),
    });
    const summary = page.locator("details", { has: allDays }).locator("> summary");
    await expect(summary).toHaveCount(1);
    await summary.focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    await expect(summary).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("table", { name: "Per day, last 28 days, all purposes" })).toBeVisible();
    await expect(allDays.getByRole("row")).toHaveCount(29);
    // Open, it scrolls in its own box if it must; the page still does not scroll sideways.
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
    ).toBe(true);
    await page.keyboard.press("Enter");
    await expect(allDays).toBeHidden();

    // The chart stays beside its table.
    await expect(
      page.getByRole("img", { name: /Consents granted and withdrawn per day, last 28 days, all purposes/ }),
    ).toBeVisible();

    expect(await axeProblems(page)).toEqual([]);
    await summary.press("Enter");
    expect(await axeProblems(page)).toEqual([]);
  });
}

test("a purpose's activity fold draws its charts when opened, at once and by keyboard; without JavaScript its link opens it drawn", async ({
  app,
  page,
  signedIn,
  browser,
}) => {
  await signedIn({ id: ADMIN_ID });
  await page.goto(`${app.origin}/admin`);
  const fold = page.locator("details#activity-display_name");
  const chart = page.getByRole("img", { name: /Greet you by name: granted and withdrawn per day, last 28 days/ });
  // Closed and not drawn: the page carries the all-purposes charts only.
  await expect(fold).not.toHaveAttribute("open");
  await expect(page.locator("svg")).toHaveCount(2);
  await expect(fold.locator("svg")).toHaveCount(0);
  await fold.locator("> summary").focus();
  await page.keyboard.press("Enter");
  // Drawn in place, no navigation or reload: the address is the same and the charts are there.
  await expect(chart).toBeVisible();
  await expect(fold.locator("svg")).toHaveCount(2);
  expect(page.url()).toBe(`${app.origin}/admin`);
  // Its table, from the numbers the page already had, and the same figures as the report's JSON.
  const table = fold.locator("table", { has: page.locator("caption", { hasText: /per day, last 28 days$/ }) });
  await table.locator("xpath=ancestor::details[1]/summary").press("Enter");
  await expect(table.getByRole("row")).toHaveCount(29);
  const json = (await (await page.request.get(`${app.origin}/api/admin/report`)).json()) as {
    purposes: { id: string; activity: { days: { period: string; granted: number | string }[] } }[];
  };
  const days = json.purposes.find((p) => p.id === "display_name")!.activity.days;
  await expect(table.getByRole("row").nth(28)).toContainText(days.at(-1)!.period);
  // Closed and opened again: still drawn, once.
  await fold.locator("> summary").press("Enter");
  await fold.locator("> summary").press("Enter");
  await expect(fold.locator("svg")).toHaveCount(2);
  expect(await axeProblems(page)).toEqual([]);

  // Without JavaScript the fold holds a link to the report with it open, drawn by the server.
  const context = await browser.newContext({ javaScriptEnabled: false });
  await context.addCookies(await page.context().cookies());
  const noJs = await context.newPage();
  await noJs.goto(`${app.origin}/admin`);
  await noJs.locator("details#activity-display_name > summary").click();
  await noJs.getByRole("link", { name: "Show the charts and tables of “Greet you by name”" }).click();
  await expect(noJs).toHaveURL(`${app.origin}/admin?activity=display_name#activity-display_name`);
  await expect(noJs.locator("details#activity-display_name")).toHaveAttribute("open", "");
  await expect(
    noJs.getByRole("img", { name: /Greet you by name: granted and withdrawn per day, last 28 days/ }),
  ).toBeVisible();
  await expect(noJs.locator("details#activity-username svg")).toHaveCount(0);
  await context.close();
});
