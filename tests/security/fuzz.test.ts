// Fuzzing with fast-check against the production build: the login route, the account API, forged
// and malformed cookies, the bot webhook and the OpenID Connect start and callback. Every input is one HTTP request. Whatever comes in:
// no 5xx, the contract's error shape, nothing of the seeded user's data in the answer, and no
// change to anything stored (a fingerprint of every table is compared at checkpoints and at the end).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client, EVERYTHING, signedPayload } from "../support/client";
import { startTestProvider, type TestProvider } from "../support/oidc-provider";
import { startApp, type TestApp } from "../support/server";
import { ACCOUNT_API, API_ROUTES, type ApiRoute } from "./routes";
import {
  fingerprint,
  OIDC_COOKIE,
  PENDING_COOKIE,
  recordFigure,
  requestFollowing,
  sealWith,
  SESSION_COOKIE,
} from "./support";

// 10,000 inputs in total; FUZZ_SCALE shrinks or grows every property alike.
const SCALE = Number(process.env.FUZZ_SCALE ?? "1");
const RUNS = { login: 3500, account: 2400, signedIn: 600, cookies: 2500, webhook: 1000, oidc: 600 };
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const CHECK_EVERY = 250;

let app: TestApp;
let provider: TestProvider;
let owner: Client;
let ownerCookie: string;
let tried = 0;
let inputs = 0;
let fiveHundreds = 0;

const OWNER = {
  id: "4400000555001",
  first_name: "Fzownerfirst",
  last_name: "Fzownerlast",
  username: "fz_owner_handle",
};
const OWNER_VALUES = [OWNER.id, OWNER.first_name, OWNER.last_name, OWNER.username];

beforeAll(async () => {
  // The provider answers as the owner's Telegram account: a forged callback that got a real token
  // for it would sign the owner in, which the fingerprint checks would see.
  provider = await startTestProvider({
    user: { id: Number(OWNER.id), sub: "9007199254740993", name: OWNER.first_name, preferred_username: OWNER.username },
  });
  app = await startApp({
    label: "sec-fuzz",
    env: {
      TELEGRAM_OIDC_ISSUER: provider.issuer,
      TELEGRAM_OIDC_CLIENT_ID: provider.clientId,
      TELEGRAM_OIDC_CLIENT_SECRET: provider.clientSecret,
      TELEGRAM_WEBHOOK_SECRET: randomBytes(24).toString("base64url"),
    },
  });
  provider.redirectUri = `${app.origin}/api/auth/oidc/callback`;
  owner = new Client(app.origin);
  await owner.signIn(OWNER, EVERYTHING);
  ownerCookie = owner.cookies.get(SESSION_COOKIE)!;
});
afterAll(async () => {
  recordFigure(
    "fuzz inputs tried",
    inputs,
    `login, account API, forged cookies, webhook, OpenID Connect; ${tried} requests`,
  );
  recordFigure("fuzz 5xx answers", fiveHundreds);
  await app?.stop();
  await app?.db.drop();
  await provider?.close();
});

type Req = {
  method: string;
  path: string;
  body?: string;
  headers: Record<string, string>;
  origin?: string | null;
  cookies?: Record<string, string>;
};

async function send(req: Req): Promise<{ status: number; text: string; location: string | null }> {
  const c = new Client(app.origin);
  for (const [k, v] of Object.entries(req.cookies ?? {})) c.cookies.set(k, v);
  // RSC requests are first sent on to a ?_rsc= URL by Next; follow that to the real answer.
  const res = req.headers.RSC
    ? await requestFollowing(c, req.method, req.path, { body: req.body, headers: req.headers, origin: req.origin })
    : await c.request(req.method, req.path, { body: req.body, headers: req.headers, origin: req.origin });
  const text = await res.text();
  tried += 1;
  if (res.status >= 500) fiveHundreds += 1;
  expect(res.status, `${req.method} ${req.path}: ${text.slice(0, 200)}`).toBeLessThan(500);
  for (const v of OWNER_VALUES)
    expect(text.includes(v), `${req.method} ${req.path} answered with the owner's data`).toBe(false);
  return { status: res.status, text, location: res.headers.get("location") };
}

function expectErrorShape(r: { status: number; text: string; location?: string | null }): void {
  expect(r.status).toBeGreaterThanOrEqual(400);
  const body = JSON.parse(r.text) as { error?: unknown };
  expect(typeof body.error).toBe("string");
}

/** Runs a property and checks, every CHECK_EVERY inputs and at the end, that nothing stored changed. */
async function fuzz<T>(arb: fc.Arbitrary<T>, numRuns: number, check: (input: T) => Promise<void>): Promise<void> {
  const before = (await fingerprint(app)).hash;
  let n = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      await check(input);
      n += 1;
      inputs += 1;
      if (n % CHECK_EVERY === 0) expect((await fingerprint(app)).hash, `state changed by fuzz input ${n}`).toBe(before);
    }),
    { numRuns, endOnFailure: true },
  );
  expect((await fingerprint(app)).hash, "state changed by a refused request").toBe(before);
}

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 120,
});
const weirdValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.integer().map(String),
  fc.constantFrom(
    "",
    " ",
    "0",
    "-1",
    "1e3",
    "0x10",
    "9007199254740993",
    "18446744073709551616",
    "null",
    "true",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\u0000",
    "\ud800",
    "x".repeat(300),
    "%00",
    "${jndi:x}",
  ),
);
const jsonish = fc.oneof(
  weirdValue,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(weirdValue, { maxLength: 3 }),
  fc.dictionary(weirdValue, weirdValue, { maxKeys: 3 }),
);
const hex64 = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 });
const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "",
  "application/JSON",
);
const WIDGET_KEYS = ["id", "first_name", "last_name", "username", "photo_url", "auth_date", "hash"] as const;

// ---------------------------------------------------------------------------------------------
// Login: bodies of every shape, payloads signed then altered, payloads signed but stale, future-dated
// or by another bot, raw bytes under any content type, and foreign origins.
type LoginInput =
  | { kind: "json"; value: unknown }
  | { kind: "shaped"; fields: Record<string, unknown>; extra: Record<string, unknown> }
  | { kind: "mutated"; op: "set" | "delete" | "add" | "hashcase" | "date"; key: string; value: unknown }
  | { kind: "signed-bad"; how: "stale" | "future" | "token"; by: number }
  | { kind: "raw"; body: string; type: string }
  | { kind: "origin"; origin: string | null };

let loginSeq = 0;
const loginArb: fc.Arbitrary<LoginInput> = fc.oneof(
  fc.record({ kind: fc.constant("json" as const), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({
    kind: fc.constant("shaped" as const),
    fields: fc.record(
      Object.fromEntries(WIDGET_KEYS.map((k) => [k, k === "hash" ? fc.oneof(hex64, jsonish) : jsonish])),
      { requiredKeys: [] },
    ),
    extra: fc.dictionary(fc.string({ maxLength: 12 }), jsonish, { maxKeys: 2 }),
  }),
  fc.record({
    kind: fc.constant("mutated" as const),
    op: fc.constantFrom("set", "delete", "add", "hashcase", "date"),
    key: fc.constantFrom(...WIDGET_KEYS, "extra", "__proto__", "constructor"),
    value: jsonish,
  }),
  fc.record({
    kind: fc.constant("signed-bad" as const),
    how: fc.constantFrom("stale", "future", "token"),
    by: fc.integer({ min: 1, max: 10_000_000 }),
  }),
  fc.record({
    kind: fc.constant("raw" as const),
    body: fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 100 }),
      fc.constantFrom("{", "[]", "null", '{"id":', "x".repeat(5000)),
    ),
    type: contentType,
  }),
  fc.record({
    kind: fc.constant("origin" as const),
    origin: fc.oneof(
      fc.constant(null),
      fc.constantFrom("null", "https://evil.example", "http://localhost", "http://127.0.0.1"),
      printable,
    ),
  }),
);

function loginRequest(input: LoginInput): { req: Req; expect: number[] } {
  const path = "/api/auth/telegram";
  const json = (v: unknown) => ({
    method: "POST",
    path,
    body: JSON.stringify(v),
    headers: { "content-type": "application/json" },
  });
  const fresh = () => signedPayload({ id: String(4_400_001_000_000 + loginSeq++), first_name: "Fuzzlogin" });
  switch (input.kind) {
    case "json":
      return { req: json(input.value), expect: [400, 401] };
    case "shaped":
      return { req: json({ ...input.fields, ...input.extra }), expect: [400, 401] };
    case "mutated": {
      const p: Record<string, unknown> = fresh();
      const original = JSON.stringify(p);
      if (input.op === "set") p[input.key] = input.value;
      else if (input.op === "delete") delete p[input.key === "hash" ? "auth_date" : input.key];
      else if (input.op === "add") p[`${input.key}_x`] = input.value;
      else if (input.op === "hashcase") p.hash = String(p.hash).toUpperCase();
      else p.auth_date = String(Number(p.auth_date) - 1);
      // A "mutation" that changed nothing would be a valid sign-in: make sure it changed something.
      if (JSON.stringify(p) === original) p.first_name = "Fuzzchanged";
      return { req: json(p), expect: [400, 401] };
    }
    case "signed-bad": {
      const now = Math.floor(Date.now() / 1000);
      const profile = { id: String(4_400_002_000_000 + loginSeq++) };
      const p =
        input.how === "stale"
          ? signedPayload(profile, { authDate: now - 301 - input.by })
          : input.how === "future"
            ? signedPayload(profile, { authDate: now + 120 + input.by })
            : signedPayload(profile, { token: `${input.by}:${"A".repeat(35)}` });
      return { req: json(p), expect: [401] };
    }
    case "raw":
      return {
        req: { method: "POST", path, body: input.body, headers: input.type ? { "content-type": input.type } : {} },
        expect: [400, 401, 413, 415],
      };
    case "origin":
      return {
        req: { ...json(fresh()), origin: input.origin === "http://localhost" ? "http://localhost:1" : input.origin },
        expect: [403],
      };
  }
}

it(`login route: ${runs(RUNS.login)} generated requests, none answered 5xx or stored anything`, async () => {
  await fuzz(loginArb, runs(RUNS.login), async (input) => {
    const { req, expect: allowed } = loginRequest(input);
    const r = await send(req);
    expect(allowed, `${input.kind}: ${r.text.slice(0, 120)}`).toContain(r.status);
    expectErrorShape(r);
  });
});

// ---------------------------------------------------------------------------------------------
// Account API without a valid session (or from a foreign origin with one): every route, any body,
// any content type, RSC and forwarding headers.
const headerVariants = fc.record(
  {
    RSC: fc.constantFrom("1", "0", "x"),
    "Next-Router-Prefetch": fc.constant("1"),
    "x-forwarded-for": fc.oneof(fc.ipV4(), printable),
    "x-request-id": printable,
    accept: fc.constantFrom("text/html", "application/json", "*/*", ""),
  },
  { requiredKeys: [] },
);
type Who = "nobody" | "garbage" | "owner-foreign-origin" | "owner-no-origin" | "sealed-random";
const accountArb = fc.record({
  route: fc.constantFrom(...ACCOUNT_API),
  who: fc.constantFrom<Who>("nobody", "garbage", "owner-foreign-origin", "owner-no-origin", "sealed-random"),
  body: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({
      purposes: fc.dictionary(
        fc.oneof(
          fc.constantFrom("account", "display_name", "username", "profile_photo", "phone_contact", "__proto__"),
          fc.string({ maxLength: 70 }),
        ),
        jsonish,
        { maxKeys: 6 },
      ),
    }),
  ),
  type: contentType,
  headers: headerVariants,
  garbage: printable,
  sealed: fc.record({ sid: jsonish, uid: jsonish, sv: jsonish, iat: jsonish, lat: jsonish }, { requiredKeys: [] }),
});

type AccountInput = typeof accountArb extends fc.Arbitrary<infer T> ? T : never;
async function accountRequest(input: AccountInput): Promise<Req> {
  const route: ApiRoute = input.route;
  const req: Req = {
    method: route.method,
    path: route.path,
    body: route.method === "GET" ? undefined : JSON.stringify(input.body),
    headers: { ...input.headers, ...(input.type ? { "content-type": input.type } : {}) },
  };
  if (input.who === "garbage") req.cookies = { [SESSION_COOKIE]: input.garbage.replace(/[;\s]/g, "") || "x" };
  if (input.who === "sealed-random")
    req.cookies = { [SESSION_COOKIE]: await sealWith(app.env.SESSION_SECRET!, input.sealed) };
  // With the owner's real cookie only state-changing requests are refused (from a foreign origin);
  // the owner's own reads are allowed and an export is recorded, so they are not part of this property.
  if ((input.who === "owner-foreign-origin" || input.who === "owner-no-origin") && route.method !== "GET") {
    req.cookies = { [SESSION_COOKIE]: ownerCookie };
    req.origin = input.who === "owner-no-origin" ? null : "https://evil.example";
  }
  return req;
}

it(`account API: ${runs(RUNS.account)} generated requests without a valid session or from a foreign origin`, async () => {
  await fuzz(accountArb, runs(RUNS.account), async (input) => {
    const req = await accountRequest(input);
    const r = await send(req);
    if (req.origin !== undefined) expect(r.status).toBe(403);
    // The delete page's form, sent by a stranger, is sent on to the start page (and erases nothing).
    if (r.status === 303 && req.path === "/api/me/delete" && req.headers.accept === "text/html") {
      expect(r.location).toMatch(/\/\?signed-out=1$/);
      return;
    }
    expect(r.status, `${input.who} ${req.method} ${req.path}`).toBeGreaterThanOrEqual(400);
    expectErrorShape(r);
  });
});

// ---------------------------------------------------------------------------------------------
// The signed-in owner sends malformed consent bodies: each refusal leaves everything as it was.
it(`account API: ${runs(RUNS.signedIn)} malformed consent bodies from the signed-in owner change nothing`, async () => {
  const arb = fc.record({
    body: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ purposes: fc.dictionary(fc.string({ maxLength: 70 }), jsonish, { minKeys: 1, maxKeys: 60 }) }),
      fc.record({ purposes: fc.constant({ account: false }) }),
      fc.record({ purposes: fc.constant({}) }),
      fc.record({ purposes: fc.constant({ display_name: true }), extra: jsonish }),
    ),
    type: contentType,
  });
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(arb, async ({ body, type }) => {
      const before = (await fingerprint(app)).hash;
      const c = new Client(app.origin);
      c.cookies.set(SESSION_COOKIE, ownerCookie);
      const res = await c.request("PUT", "/api/me/consents", {
        body: JSON.stringify(body),
        headers: type ? { "content-type": type } : {},
      });
      const text = await res.text();
      tried += 1;
      inputs += 1;
      expect(res.status, text).toBeLessThan(500);
      if (res.status >= 400) {
        refused += 1;
        expect(JSON.parse(text)).toEqual({ error: expect.any(String) });
        expect(
          (await fingerprint(app)).hash,
          `a refused consent body changed state: ${JSON.stringify(body).slice(0, 100)}`,
        ).toBe(before);
      }
    }),
    { numRuns: runs(RUNS.signedIn), endOnFailure: true },
  );
  expect(refused).toBeGreaterThan(runs(RUNS.signedIn) / 2);
  // The owner is still there, still signed in.
  expect((await owner.get("/api/me")).status).toBe(200);
});

// ---------------------------------------------------------------------------------------------
// Forged and malformed cookies: random bytes, iron-looking seals, the owner's real cookie altered,
// and seals made with the server's own secret around data of any shape.
type CookieInput =
  | { kind: "random"; value: string }
  | { kind: "iron"; parts: string[] }
  | { kind: "altered"; op: "flip" | "truncate" | "append"; at: number; junk: string }
  | { kind: "sealed"; data: unknown }
  | { kind: "names"; name: string; value: string };
const cookieArb: fc.Arbitrary<{ cookie: CookieInput; target: number }> = fc.record({
  cookie: fc.oneof(
    fc.record({ kind: fc.constant("random" as const), value: printable }),
    fc.record({
      kind: fc.constant("iron" as const),
      parts: fc.array(fc.oneof(fc.base64String({ maxLength: 60 }), fc.integer().map(String), fc.constant("")), {
        minLength: 1,
        maxLength: 8,
      }),
    }),
    fc.record({
      kind: fc.constant("altered" as const),
      op: fc.constantFrom("flip", "truncate", "append"),
      at: fc.nat(),
      junk: printable,
    }),
    fc.record({
      kind: fc.constant("sealed" as const),
      data: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({ sid: jsonish, uid: jsonish, sv: jsonish, iat: jsonish, lat: jsonish }, { requiredKeys: [] }),
      ),
    }),
    fc.record({
      kind: fc.constant("names" as const),
      name: fc.constantFrom("session", "__Host-session ", "__host-session", "__Secure-session", "__Host-session\t"),
      value: printable,
    }),
  ),
  target: fc.nat({ max: 4 }),
});
const COOKIE_TARGETS: { method: string; path: string; headers?: Record<string, string>; body?: string }[] = [
  { method: "GET", path: "/api/me" },
  { method: "GET", path: "/settings" },
  { method: "GET", path: "/settings?_rsc=abc", headers: { RSC: "1" } },
  {
    method: "PUT",
    path: "/api/me/consents",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ purposes: { account: true, display_name: true } }),
  },
  { method: "DELETE", path: "/api/me" },
];

async function cookieValue(c: CookieInput): Promise<Record<string, string>> {
  const clean = (s: string) => s.replace(/[;\s,]/g, "") || "x";
  switch (c.kind) {
    case "random":
      return { [SESSION_COOKIE]: clean(c.value) };
    case "iron":
      return { [SESSION_COOKIE]: clean(["Fe26.2", ...c.parts].join("*")) };
    case "altered": {
      const at = c.at % ownerCookie.length;
      let v = ownerCookie;
      if (c.op === "flip") v = v.slice(0, at) + (v[at] === "A" ? "B" : "A") + v.slice(at + 1);
      else if (c.op === "truncate") v = v.slice(0, at);
      else v = v + clean(c.junk);
      if (v === ownerCookie) v = ownerCookie.slice(0, -1);
      return { [SESSION_COOKIE]: v || "x", [PENDING_COOKIE]: v || "x" };
    }
    case "sealed":
      return { [SESSION_COOKIE]: await sealWith(app.env.SESSION_SECRET!, c.data) };
    case "names":
      return {
        [c.name.trim() === "__Host-session" ? "session" : c.name.trim() || "session"]: ownerCookie,
        [SESSION_COOKIE]: clean(c.value),
      };
  }
}

it(`forged cookies: ${runs(RUNS.cookies)} generated cookies, none signs anyone in`, async () => {
  await fuzz(cookieArb, runs(RUNS.cookies), async ({ cookie, target }) => {
    const t = COOKIE_TARGETS[target]!;
    const r = await send({
      method: t.method,
      path: t.path,
      body: t.body,
      headers: t.headers ?? {},
      cookies: await cookieValue(cookie),
    });
    if (t.path.startsWith("/api/")) {
      expect(r.status, `${cookie.kind} ${t.method} ${t.path}`).toBe(401);
      expectErrorShape(r);
    } else {
      // Pages send a stranger to the start page: a redirect, or for an RSC request the router's
      // redirect instruction.
      const redirected =
        [303, 307].includes(r.status) ||
        (r.status === 200 &&
          t.headers?.RSC === "1" &&
          (r.text.includes("/?signed-out=1") || r.text.includes("/?signin=required")));
      expect(redirected, `${cookie.kind} ${t.path}: ${r.status} ${r.text.slice(0, 100)}`).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The bot webhook: forged secret tokens and Update-shaped bodies against a configured secret.
it(`webhook: ${runs(RUNS.webhook)} requests with forged secret tokens change nothing`, async () => {
  const routes = API_ROUTES.filter((r) => r.access === "webhook");
  expect(routes.length).toBeGreaterThan(0);
  const arb = fc.record({
    route: fc.constantFrom(...routes),
    secret: fc.option(printable, { nil: undefined }),
    body: fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({
        update_id: fc.integer(),
        message: fc.record(
          {
            message_id: fc.integer(),
            from: fc.record({ id: fc.integer(), is_bot: fc.boolean() }),
            chat: fc.record({ id: fc.integer() }),
            contact: fc.record(
              {
                phone_number: fc.oneof(printable, fc.constant("+4915550001234")),
                user_id: fc.integer(),
                first_name: weirdValue,
              },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        ),
      }),
    ),
  });
  await fuzz(arb, runs(RUNS.webhook), async ({ route, secret, body }) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secret !== undefined) headers["x-telegram-bot-api-secret-token"] = secret.trim() || "x";
    // Telegram's servers send no Origin; a webhook route checks the secret token instead.
    const r = await send({ method: route.method, path: route.path, body: JSON.stringify(body), headers, origin: null });
    expect([400, 401, 403], `${route.path}: ${r.status}`).toContain(r.status);
  });
});

// ---------------------------------------------------------------------------------------------
// Telegram OpenID Connect: the callback is a cross-site GET that anyone can aim at a victim's
// browser. Random and missing states, codes and provider errors; no flow cookie, a garbage one, one
// sealed with the server's own secret around random data, or a real flow of this browser; and codes
// issued for another browser's flow (a stolen code: PKCE must refuse it). The start route gets random
// intents and Sec-Fetch-Site values. None of it may sign anyone in or store anything.
type OidcFlowKind = "none" | "garbage" | "sealed-random" | "real";
const oidcArb = fc.record({
  flow: fc.constantFrom<OidcFlowKind>("none", "garbage", "sealed-random", "real", "real"),
  state: fc.oneof(fc.constant("matching"), fc.constant(undefined), printable),
  code: fc.oneof(fc.constant("stolen"), fc.constant(undefined), printable, fc.constant("x".repeat(3000))),
  error: fc.option(fc.constantFrom("access_denied", "server_error", "", "x"), { nil: undefined }),
  extra: fc.dictionary(fc.constantFrom("iss", "scope", "session_state", "state", "code"), printable, { maxKeys: 2 }),
  sealed: fc.record(
    { st: jsonish, cv: jsonish, nn: jsonish, intent: fc.constantFrom("login", "phone", "x"), uid: jsonish },
    { requiredKeys: [] },
  ),
  garbage: printable,
  start: fc.record({
    intent: fc.option(fc.oneof(fc.constantFrom("phone", "login"), printable), { nil: undefined }),
    site: fc.option(fc.constantFrom("same-origin", "same-site", "cross-site", "none", "x"), { nil: undefined }),
  }),
});

/** A real flow of a fresh browser: its flow cookie and the state it sent to the provider. */
async function startedFlow(): Promise<{ cookies: Record<string, string>; state: string; authorize: string }> {
  const c = new Client(app.origin);
  const start = await c.get("/api/auth/oidc/start");
  expect(start.status).toBe(303);
  const authorize = start.headers.get("location")!;
  return { cookies: Object.fromEntries(c.cookies), state: new URL(authorize).searchParams.get("state")!, authorize };
}

it(`OpenID Connect: ${runs(RUNS.oidc)} generated callbacks and starts, none signs anyone in`, async () => {
  const seen = { cancelled: 0, refusedByProvider: 0, stolenCodes: 0 };
  await fuzz(oidcArb, runs(RUNS.oidc), async (input) => {
    // The start route: a stranger's browser may start a flow (a cookie, nothing stored), another site may not.
    const qs = input.start.intent === undefined ? "" : `?intent=${encodeURIComponent(input.start.intent)}`;
    const started = await send({
      method: "GET",
      path: `/api/auth/oidc/start${qs}`,
      headers: input.start.site ? { "sec-fetch-site": input.start.site } : {},
    });
    const crossSite = input.start.site === "cross-site" || input.start.site === "same-site";
    if (crossSite) expect(started.status).toBe(403);
    // intent=phone needs a signed-in user with a phone purpose: a stranger gets 401.
    else expect(started.status, started.text.slice(0, 100)).toBe(input.start.intent === "phone" ? 401 : 303);

    let cookies: Record<string, string> = {};
    let state: string | undefined =
      typeof input.state === "string" && input.state !== "matching" ? input.state : undefined;
    let real = false;
    if (input.flow === "garbage") cookies = { [OIDC_COOKIE]: input.garbage.replace(/[;\s]/g, "") || "x" };
    if (input.flow === "sealed-random") {
      cookies = { [OIDC_COOKIE]: await sealWith(app.env.SESSION_SECRET!, input.sealed, 600) };
      if (input.state === "matching" && typeof input.sealed.st === "string") {
        // A seal only the server could make, around a flow of the right shape: as good as a real one.
        state = input.sealed.st;
        real = true;
      }
    }
    if (input.flow === "real") {
      const flow = await startedFlow();
      cookies = flow.cookies;
      if (input.state === "matching") {
        state = flow.state;
        real = true;
      }
    }
    let code = input.code;
    if (code === "stolen") {
      // Another browser's flow, followed through the provider: a genuine code bound to its verifier.
      const victim = await startedFlow();
      const authorize = await fetch(victim.authorize, { redirect: "manual" });
      code = new URL(authorize.headers.get("location")!).searchParams.get("code") ?? "none";
      if (real) seen.stolenCodes += 1;
    }
    const params = new URLSearchParams(input.extra);
    if (state !== undefined) params.set("state", state);
    else params.delete("state");
    if (code !== undefined) params.set("code", code);
    else params.delete("code");
    if (input.error !== undefined) params.set("error", input.error);
    const r = await send({ method: "GET", path: `/api/auth/oidc/callback?${params}`, headers: {}, cookies });
    // A real flow with its own state that the provider says was cancelled goes back where it started.
    if (r.status === 303) {
      expect(real && params.get("error") !== null, `303 without a cancelled real flow: ${params}`).toBe(true);
      expect(r.location).toMatch(/\/\?signin=cancelled$|\/settings\?phone=cancelled$/);
      seen.cancelled += 1;
      return;
    }
    if (r.status === 401) seen.refusedByProvider += 1;
    expect(
      real ? [400, 401] : [400],
      `${input.flow} state=${input.state} code=${String(input.code).slice(0, 20)}: ${r.text.slice(0, 120)}`,
    ).toContain(r.status);
    expectErrorShape(r);
  });
  // Every exchange the app attempted was refused by the provider: no forged callback got a token.
  expect(
    provider.tokenRequests.every((t) => !t.ok),
    "the provider issued tokens to a forged callback",
  ).toBe(true);
  // The generator reached the deep paths, not only the state check (so the property can fail).
  if (runs(RUNS.oidc) >= 300) for (const [k, n] of Object.entries(seen)) expect(n, k).toBeGreaterThan(0);
  recordFigure(
    "OpenID Connect callbacks with a stolen code of another flow (PKCE refused every one)",
    seen.stolenCodes,
  );
});

it("the server logged no unhandled error during the fuzzing", () => {
  const logs = readFileSync(app.logFile, "utf8");
  expect(logs).not.toMatch(/unhandled error|⨯/);
  for (const v of OWNER_VALUES) expect(logs).not.toContain(v);
});
