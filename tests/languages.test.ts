// Choosing the language (issue 15), through the production build: the person's choice in the `lang`
// cookie (set by the switcher's ?lang= links), then Accept-Language, then English. Bad input of any
// kind (an unknown code in the URL or the cookie, a malformed header) gives English with a 200,
// never an error; LANGUAGES takes a language out of every one of these paths.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, ONLY_ACCOUNT } from "./support/client";
import { startApp, type TestApp } from "./support/server";

let app: TestApp;
let fewer: TestApp;

beforeAll(async () => {
  [app, fewer] = await Promise.all([
    startApp({ label: "languages" }),
    startApp({ label: "languages-fewer", env: { LANGUAGES: "en,es" } }),
  ]);
});
afterAll(async () => {
  for (const a of [app, fewer]) {
    await a?.stop();
    await a?.db.drop();
  }
});

/** GET a page as a browser would, with an optional cookie and Accept-Language; the document's lang and dir. */
async function page(target: TestApp, path: string, opts: { cookie?: string; acceptLanguage?: string } = {}) {
  const c = new Client(target.origin);
  if (opts.cookie !== undefined) c.cookies.set("lang", opts.cookie);
  const res = await c.request("GET", path, {
    headers: {
      accept: "text/html",
      ...(opts.acceptLanguage !== undefined ? { "accept-language": opts.acceptLanguage } : {}),
    },
  });
  const html = await res.text();
  const tag = /<html\b[^>]*>/.exec(html)?.[0] ?? "";
  return { status: res.status, lang: /\blang="([^"]*)"/.exec(tag)?.[1], dir: /\bdir="([^"]*)"/.exec(tag)?.[1] };
}

describe("the language of a page", () => {
  it("is the cookie's, then Accept-Language's best match, then English", async () => {
    expect(await page(app, "/", { cookie: "ru", acceptLanguage: "es" })).toEqual({
      status: 200,
      lang: "ru",
      dir: "ltr",
    });
    expect(await page(app, "/", { acceptLanguage: "de-DE,fa-IR;q=0.8,en;q=0.5" })).toEqual({
      status: 200,
      lang: "fa",
      dir: "rtl",
    });
    expect(await page(app, "/", { acceptLanguage: "es-MX" })).toMatchObject({ status: 200, lang: "es" });
    expect(await page(app, "/")).toEqual({ status: 200, lang: "en", dir: "ltr" });
  });

  it("is English, with a 200, for a garbage cookie or a malformed Accept-Language", async () => {
    const cookies = ["zz", "", "../../etc/passwd", "RU-ru-extra-long-garbage-".repeat(5), "null", "%00", "e n"];
    for (const cookie of cookies)
      expect(await page(app, "/", { cookie }), `cookie ${JSON.stringify(cookie)}`).toEqual({
        status: 200,
        lang: "en",
        dir: "ltr",
      });
    const headers = ["***", "x;q=abc", ";;;", "zz", "zh-Hant-TW", "a".repeat(5000), "é, ü;q=1", "ru;q=0", "-,-;q=-1"];
    for (const acceptLanguage of headers)
      expect(await page(app, "/", { acceptLanguage }), `Accept-Language ${acceptLanguage.slice(0, 40)}`).toEqual({
        status: 200,
        lang: "en",
        dir: "ltr",
      });
    // Both at once, on a page that needs no session and on a missing one.
    expect(await page(app, "/consent", { cookie: "zz", acceptLanguage: "***" })).toEqual({
      status: 200,
      lang: "en",
      dir: "ltr",
    });
    expect(await page(app, "/no-such-page", { cookie: "zz", acceptLanguage: "x;q=abc" })).toMatchObject({
      status: 404,
      lang: "en",
    });
  });
});

describe("the switcher's ?lang= links", () => {
  it("remember an offered language for a year and come back to the same page without the parameter", async () => {
    const c = new Client(app.origin);
    const res = await c.get("/consent?lang=fa&from=x");
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get("location")!, app.origin).href).toBe(`${app.origin}/consent?from=x`);
    const set = res.headers.getSetCookie().find((s) => s.startsWith("lang="))!;
    expect(set).toMatch(/^lang=fa;/);
    expect(set).toMatch(/Max-Age=31536000/i);
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=lax/i);
    const next = await c.request("GET", "/consent?from=x", { headers: { "accept-language": "ru" } });
    expect(next.status).toBe(200);
    expect(/<html\b[^>]*>/.exec(await next.text())?.[0]).toMatch(/lang="fa".*dir="rtl"|dir="rtl".*lang="fa"/);
  });

  it("from another site show the page in that language but store nothing (issue 25, item 3)", async () => {
    const c = new Client(app.origin);
    const res = await c.request("GET", "/consent?lang=fa&from=x", {
      headers: { accept: "text/html", "sec-fetch-site": "cross-site", "accept-language": "ru" },
    });
    const stored = res.headers.getSetCookie().filter((s) => s.startsWith("lang="));
    expect(stored, "a cross-site link stored the language").toEqual([]);
    expect(res.status).toBe(200);
    expect(/<html\b[^>]*>/.exec(await res.text())?.[0]).toMatch(/lang="fa".*dir="rtl"|dir="rtl".*lang="fa"/);
    // The next page, without the link's parameter, is in the person's own language again.
    const next = await c.request("GET", "/consent", { headers: { accept: "text/html", "accept-language": "ru" } });
    expect(/<html\b[^>]*>/.exec(await next.text())?.[0]).toMatch(/lang="ru"/);
    // A request cannot name the language through the proxy's own header.
    const forged = await c.request("GET", "/consent", {
      headers: { accept: "text/html", "accept-language": "ru", "x-linked-lang": "fa" },
    });
    expect(/<html\b[^>]*>/.exec(await forged.text())?.[0]).toMatch(/lang="ru"/);
    // The switcher on our own pages, and an address typed by the person, still store the choice.
    for (const site of ["same-origin", "none"]) {
      const own = await new Client(app.origin).request("GET", "/consent?lang=es", {
        headers: { "sec-fetch-site": site },
      });
      expect(own.status, site).toBe(303);
      expect(
        own.headers.getSetCookie().find((s) => s.startsWith("lang=")),
        site,
      ).toMatch(/^lang=es;/);
    }
  });

  it("drop an unknown code without a word: English, 200, and no cookie", async () => {
    for (const code of ["zz", "", "../x", "RU-ru-extra-long-garbage-".repeat(3)]) {
      const c = new Client(app.origin);
      const res = await c.get(`/?lang=${encodeURIComponent(code)}`);
      expect(res.status, code).toBe(303);
      expect(new URL(res.headers.get("location")!, app.origin).href, code).toBe(`${app.origin}/`);
      expect(
        res.headers.getSetCookie().some((s) => s.startsWith("lang=")),
        code,
      ).toBe(false);
      expect(await page(app, "/"), code).toEqual({ status: 200, lang: "en", dir: "ltr" });
    }
  });

  it("cannot choose a language LANGUAGES does not offer, by link, cookie or header", async () => {
    const c = new Client(fewer.origin);
    const res = await c.get("/?lang=ru");
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().some((s) => s.startsWith("lang="))).toBe(false);
    expect(await page(fewer, "/", { cookie: "ru" })).toEqual({ status: 200, lang: "en", dir: "ltr" });
    expect(await page(fewer, "/", { acceptLanguage: "fa,ru;q=0.9" })).toEqual({ status: 200, lang: "en", dir: "ltr" });
    expect(await page(fewer, "/", { cookie: "es", acceptLanguage: "fa" })).toMatchObject({ status: 200, lang: "es" });
  });
});

describe("logging out and deleting the account", () => {
  // Their answers carry Clear-Site-Data, which drops every cookie of the site, the language too: the
  // redirect carries the choice so the page that confirms it is in the person's language.
  it("keep the person's language for the page that follows", async () => {
    let id = 710_000_000 + Math.floor(Math.random() * 1_000_000);
    for (const [path, landing] of [
      ["/api/auth/logout", "/?signed-out=1"],
      ["/api/me/delete", "/?erased=1"],
    ] as const) {
      const c = new Client(app.origin);
      await c.signIn({ id: String(id++) }, ONLY_ACCOUNT);
      c.cookies.set("lang", "es");
      const res = await c.request("POST", path, { headers: { accept: "text/html" } });
      expect(res.status, path).toBe(303);
      expect(res.headers.get("clear-site-data"), path).toContain('"cookies"');
      const next = new URL(res.headers.get("location")!, app.origin);
      expect(`${next.pathname}${next.search}`, path).toBe(`${landing}&lang=es`);
      // What the switcher's proxy makes of it: the cookie again, and the page without the parameter.
      const again = await new Client(app.origin).get(`${next.pathname}${next.search}`);
      expect(new URL(again.headers.get("location")!, app.origin).href).toBe(`${app.origin}${landing}`);
      expect(
        again.headers.getSetCookie().some((s) => s.startsWith("lang=es;")),
        path,
      ).toBe(true);
    }
    // Without a choice (or with one not offered) the address is unchanged.
    const plain = new Client(app.origin);
    await plain.signIn({ id: String(id++) }, ONLY_ACCOUNT);
    plain.cookies.set("lang", "zz");
    const res = await plain.request("POST", "/api/auth/logout", { headers: { accept: "text/html" } });
    expect(new URL(res.headers.get("location")!, app.origin).href).toBe(`${app.origin}/?signed-out=1`);
  });
});
