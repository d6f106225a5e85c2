// Every response carries the hardening headers: pages in every request variant, the API, 404s, build
// assets; no-store wherever personal data can be; Clear-Site-Data on logout and erasure, through the
// API and through the pages' own forms.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, EVERYTHING } from "../support/client";
import { startTestProvider, type TestProvider } from "../support/oidc-provider";
import { startApp, type TestApp } from "../support/server";
import { API_ROUTES, PAGES, pageVariants } from "./routes";
import { recordFigure, requestFollowing } from "./support";

let app: TestApp;
let provider: TestProvider;
let owner: Client;
let checked = 0;
let nextId = 610_000_000;

beforeAll(async () => {
  // OpenID Connect and the bot are configured, so their routes answer as in production, not 503.
  provider = await startTestProvider({ user: { id: 1, sub: "1" } });
  app = await startApp({
    label: "sec-headers",
    env: {
      TELEGRAM_OIDC_ISSUER: provider.issuer,
      TELEGRAM_OIDC_CLIENT_ID: provider.clientId,
      TELEGRAM_OIDC_CLIENT_SECRET: provider.clientSecret,
      TELEGRAM_WEBHOOK_SECRET: randomBytes(24).toString("base64url"),
    },
  });
  provider.redirectUri = `${app.origin}/api/auth/oidc/callback`;
  owner = new Client(app.origin);
  await owner.signIn({ id: String(nextId++), first_name: "Hdrowner", username: "hdr_owner" }, EVERYTHING);
});
afterAll(async () => {
  recordFigure("responses checked for headers", checked);
  await app?.stop();
  await app?.db.drop();
  await provider?.close();
});

type Res = Awaited<ReturnType<Client["request"]>>;

async function freshUser(): Promise<Client> {
  const c = new Client(app.origin);
  await c.signIn({ id: String(nextId++), first_name: "Cleared" }, EVERYTHING);
  return c;
}

function cspDirectives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((p) => p[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

/** The headers every response must have, whatever it is. */
function expectBaseline(res: Res, label: string): void {
  checked += 1;
  const h = res.headers;
  const hsts = /max-age=(\d+)/.exec(h.get("strict-transport-security") ?? "");
  expect(Number(hsts?.[1] ?? 0), `${label}: HSTS`).toBeGreaterThanOrEqual(31_536_000);
  expect(h.get("x-content-type-options"), `${label}: nosniff`).toBe("nosniff");
  expect(h.get("referrer-policy"), `${label}: Referrer-Policy`).toMatch(
    /^(same-origin|no-referrer|strict-origin|strict-origin-when-cross-origin)$/,
  );
  const pp = h.get("permissions-policy") ?? "";
  for (const feature of ["camera", "microphone", "geolocation", "payment", "usb"])
    expect(pp, `${label}: Permissions-Policy ${feature}`).toContain(`${feature}=()`);
  expect(h.get("x-powered-by"), `${label}: X-Powered-By`).toBeNull();
  expect(h.get("x-frame-options"), `${label}: X-Frame-Options`).toBe("DENY");
}

/** Documents and API answers: the full nonce CSP and no-store. */
function expectDynamic(res: Res, label: string): void {
  expectBaseline(res, label);
  const csp = cspDirectives(res.headers.get("content-security-policy") ?? "");
  const script = csp.get("script-src") ?? [];
  expect(
    script.some((v) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(v)),
    `${label}: script nonce`,
  ).toBe(true);
  expect(script, `${label}: strict-dynamic`).toContain("'strict-dynamic'");
  expect(script, `${label}: no unsafe-inline`).not.toContain("'unsafe-inline'");
  expect(script, `${label}: no unsafe-eval`).not.toContain("'unsafe-eval'");
  // Only Telegram's script host (for browsers without strict-dynamic), nothing else foreign.
  expect(
    script.filter((v) => v.startsWith("http")),
    `${label}: script hosts`,
  ).toEqual(["https://telegram.org"]);
  expect(csp.get("object-src"), `${label}: object-src`).toEqual(["'none'"]);
  expect(csp.get("base-uri"), `${label}: base-uri`).toEqual(["'none'"]);
  expect(csp.get("frame-ancestors"), `${label}: frame-ancestors`).toEqual(["'none'"]);
  expect(csp.get("connect-src"), `${label}: connect-src`).toEqual(["'self'", "https://oauth.telegram.org"]);
  expect(res.headers.get("cache-control") ?? "", `${label}: no-store`).toContain("no-store");
  expect(res.headers.get("x-request-id") ?? "", `${label}: request id`).toMatch(/^[A-Za-z0-9-]{8,64}$/);
}

describe("pages", () => {
  for (const page of PAGES) {
    for (const variant of pageVariants(page.path)) {
      it(`${page.path} (${variant.label}) signed in and signed out`, async () => {
        for (const client of [owner, new Client(app.origin)]) {
          const res = await requestFollowing(client, "GET", variant.path, { headers: variant.headers });
          expect(res.status, variant.label).toBeLessThan(500);
          expectDynamic(res, `${page.path} ${variant.label}`);
          await res.body?.cancel();
        }
      });
    }
  }

  it("every script in a page carries the response's nonce, and no inline handler exists", async () => {
    for (const page of PAGES) {
      const res = await owner.get(page.path);
      const html = await res.text();
      const nonce = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy")!)![1]!;
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      expect(html).not.toMatch(/\son[a-z]+="/i);
    }
  });

  it("404s, a missing static file and malformed router state answer with the headers and never 5xx", async () => {
    // (The favicon exists now, in public/: a missing file beside it stands in for it.)
    for (const path of ["/no-such-page", "/no-such-icon.png", "/api/no-such-route", "/settings/no-such"]) {
      const res = await owner.get(path);
      expect(res.status, path).toBe(404);
      expectDynamic(res, path);
      await res.body?.cancel();
    }
    for (const tree of [
      "garbage",
      "%7B",
      encodeURIComponent(JSON.stringify(["", { children: 5 }])),
      "x".repeat(50_000),
    ]) {
      const res = await requestFollowing(owner, "GET", "/settings?_rsc=1", {
        headers: { RSC: "1", "Next-Router-State-Tree": tree },
      });
      // Node itself answers 431 to a header beyond its limit, before any app code.
      if (tree.length > 16_000) {
        expect(res.status).toBe(431);
        continue;
      }
      expect(res.status).toBe(400);
      expectDynamic(res, "bad router state");
      expect(await res.json()).toEqual({ error: expect.any(String) });
    }
  });

  it("build assets carry the baseline and a CSP that lets nothing run", async () => {
    const html = await (await owner.get("/")).text();
    const asset = /\/_next\/static\/[^"]+\.(js|css)/.exec(html)![0];
    for (const path of [asset, "/_next/static/no-such.js"]) {
      const res = await owner.get(path);
      expectBaseline(res, path);
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      await res.body?.cancel();
    }
  });
});

describe("API", () => {
  for (const route of API_ROUTES) {
    it(`${route.method} ${route.path}`, async () => {
      for (const client of [await freshUser(), new Client(app.origin)]) {
        const res = await client.request(route.method, route.path, {
          json: route.body?.() ?? (route.method === "GET" ? undefined : {}),
        });
        expect(res.status).toBeLessThan(500);
        expectDynamic(res, `${route.method} ${route.path}`);
        if (route.clearsSiteData && res.status < 400) expect(res.headers.get("clear-site-data")).toContain('"cookies"');
        await res.body?.cancel();
      }
    });
  }
});

describe("Clear-Site-Data on logout and erasure", () => {
  it.each([
    ["DELETE /api/me", "DELETE", "/api/me", "application/json", 200],
    ["POST /api/me/delete (JSON client)", "POST", "/api/me/delete", "application/json", 200],
    ["the delete page's form", "POST", "/api/me/delete", "text/html,application/xhtml+xml", 303],
    ["POST /api/auth/logout", "POST", "/api/auth/logout", "application/json", 200],
    ["the header's logout form", "POST", "/api/auth/logout", "text/html", 303],
    ["the settings page's 'log out everywhere' form", "POST", "/api/auth/logout?everywhere=1", "text/html", 303],
  ])("%s", async (_label, method, path, accept, status) => {
    const c = await freshUser();
    const res = await c.request(method, path, { headers: { accept } });
    expect(res.status).toBe(status);
    expectDynamic(res, path);
    const csd = res.headers.get("clear-site-data") ?? "";
    expect(csd).toContain('"cookies"');
    expect(csd).toContain('"storage"');
    if (path.includes("delete") || method === "DELETE") expect(csd).toContain('"cache"');
    if (status === 303) expect(res.headers.get("location")).toMatch(/\/\?(erased|signed-out)=1$/);
    expect((await c.get("/api/me")).status).toBe(401);
  });

  it("the pages post logout-everywhere and deletion to those route handlers, not to server actions", async () => {
    const settings = await (await owner.get("/settings")).text();
    expect(settings).toContain('action="/api/auth/logout?everywhere=1"');
    const del = await (await owner.get("/settings/delete")).text();
    expect(del).toContain('action="/api/me/delete"');
  });
});
