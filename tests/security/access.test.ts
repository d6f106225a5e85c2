// Every account and admin route and page refuses callers who are not the owner: signed out, a
// garbage or pending cookie, another user, and cookies sealed with the server's own secret that mix
// one user's session with another's id, name a deleted session, carry an old session version or an
// expired clock. The owner is the site's admin, so the same forgeries are tried against the admin
// report, and the other (signed-in, not admin) user is refused it. Pages are also fetched as RSC,
// prefetch, with a router state and with ?_rsc=. No answer may contain a personal value of the
// owner or any part of the report, and no refused request may change anything.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, EVERYTHING, signedPayload } from "../support/client";
import { query } from "../support/inspect";
import { startApp, type TestApp } from "../support/server";
import { ACCOUNT_API, ACCOUNT_PAGES, pageVariants } from "./routes";
import { fingerprint, PENDING_COOKIE, recordFigure, requestFollowing, sealWith, SESSION_COOKIE } from "./support";

let app: TestApp;
let owner: Client;
let other: Client;
let ownerId: string;
let ownerSid: string;
let deadSid: string;
let refusals = 0;
// Each pending caller is a new Telegram id: a random one could repeat within a second and be refused
// as a replay of its own earlier payload.
let pendingIds = 0;

const OWNER = {
  id: "4400000123457",
  first_name: "Zqownerfirst",
  last_name: "Xkownerlast",
  username: "zq_owner_handle",
  photo_url: "https://t.me/i/userpic/320/zqownerphoto.jpg",
};
const OTHER = { id: "4400000765431", first_name: "Wbotherfirst", username: "wb_other_handle" };
const OWNER_VALUES = [OWNER.id, OWNER.first_name, OWNER.last_name, OWNER.username, "zqownerphoto"];
// Text that only the report carries: its JSON keys, its CSV header row and the page's summary.
const REPORT_MARKERS = [
  "unknownFieldsStored",
  "droppedWrites",
  "section,item,measure",
  "generated_at",
  "Values stored without a live consent",
  'data-testid="violations"',
];

const now = () => Math.floor(Date.now() / 1000);

async function sessionsOf(userId: string): Promise<string[]> {
  return (await query<{ id: string }>(app, "SELECT id FROM sessions WHERE user_id = $1", [userId])).map((r) => r.id);
}

beforeAll(async () => {
  app = await startApp({ label: "sec-access", env: { ADMIN_TELEGRAM_IDS: OWNER.id } });
  owner = new Client(app.origin);
  await owner.signIn(OWNER, EVERYTHING);
  other = new Client(app.origin);
  await other.signIn(OTHER, EVERYTHING);
  ownerId = ((await (await owner.get("/api/me")).json()) as { id: string }).id;
  ownerSid = (await sessionsOf(ownerId))[0]!;
  // A second session of the owner, logged out: its cookie must be dead even though it is well sealed.
  const second = new Client(app.origin);
  await second.signIn(OWNER, EVERYTHING);
  const before = new Set(await sessionsOf(ownerId));
  deadSid = [...before].find((s) => s !== ownerSid)!;
  await second.request("POST", "/api/auth/logout");
  expect(await sessionsOf(ownerId)).toEqual([ownerSid]);
});
afterAll(async () => {
  recordFigure("account requests by a wrong caller (none saw the owner's data)", refusals);
  await app?.stop();
  await app?.db.drop();
});

type Identity = { label: string; client: () => Promise<Client>; isOtherUser?: true; pending?: true };

function withCookies(cookies: Record<string, string>): Client {
  const c = new Client(app.origin);
  for (const [k, v] of Object.entries(cookies)) c.cookies.set(k, v);
  return c;
}

function identities(): Identity[] {
  const secret = app.env.SESSION_SECRET!;
  const sealed = async (data: Record<string, unknown>) =>
    withCookies({ [SESSION_COOKIE]: await sealWith(secret, data) });
  return [
    { label: "signed out", client: async () => new Client(app.origin) },
    {
      label: "garbage cookie",
      client: async () => withCookies({ [SESSION_COOKIE]: "Fe26.2**" + randomBytes(40).toString("base64url") }),
    },
    {
      label: "cookie sealed with another secret",
      client: async () =>
        withCookies({
          [SESSION_COOKIE]: await sealWith(randomBytes(32).toString("hex"), {
            sid: ownerSid,
            uid: ownerId,
            sv: 1,
            iat: now(),
            lat: now(),
          }),
        }),
    },
    {
      label: "a pending first sign-in only",
      pending: true,
      client: async () => {
        const c = new Client(app.origin);
        await c.request("POST", "/api/auth/telegram", {
          json: signedPayload({ id: String(4_400_000_900_000 + (pendingIds += 1)) }),
        });
        expect([...c.cookies.keys()]).toEqual([PENDING_COOKIE]);
        return c;
      },
    },
    {
      label: "pending cookie naming the owner's Telegram id",
      client: async () =>
        withCookies({ [PENDING_COOKIE]: await sealWith(secret, { tid: OWNER.id, profile: {}, exp: now() - 1 }) }),
    },
    // Well sealed and fresh, but naming no pending sign-in the server opened: the record, not the
    // seal, decides whether a first sign-in can still be finished (lib/data/pending-sign-ins.ts).
    {
      label: "fresh pending cookie naming the owner's Telegram id and no server record",
      client: async () =>
        withCookies({
          [PENDING_COOKIE]: await sealWith(secret, {
            pid: randomBytes(24).toString("base64url"),
            tid: OWNER.id,
            profile: {},
            exp: now() + 600,
          }),
        }),
    },
    {
      label: "another user's session with the owner's user id",
      client: async () =>
        sealed({
          sid: (await sessionsOf(((await (await other.get("/api/me")).json()) as { id: string }).id))[0],
          uid: ownerId,
          sv: 1,
          iat: now(),
          lat: now(),
        }),
    },
    {
      label: "a made-up session id with the owner's user id",
      client: async () =>
        sealed({ sid: randomBytes(24).toString("base64url"), uid: ownerId, sv: 1, iat: now(), lat: now() }),
    },
    {
      label: "the owner's logged-out session",
      client: async () => sealed({ sid: deadSid, uid: ownerId, sv: 1, iat: now(), lat: now() }),
    },
    {
      label: "the owner's live session with an old session version",
      client: async () => sealed({ sid: ownerSid, uid: ownerId, sv: 0, iat: now(), lat: now() }),
    },
    {
      label: "the owner's live session past the absolute timeout",
      client: async () => sealed({ sid: ownerSid, uid: ownerId, sv: 1, iat: now() - 13 * 3600, lat: now() }),
    },
    {
      label: "the owner's live session past the idle timeout",
      client: async () => sealed({ sid: ownerSid, uid: ownerId, sv: 1, iat: now() - 3600, lat: now() - 31 * 60 }),
    },
    {
      label: "the owner's live session with fields of the wrong type",
      client: async () => sealed({ sid: ownerSid, uid: ownerId, sv: "1", iat: now(), lat: now() }),
    },
    { label: "another signed-in user", client: async () => other, isOtherUser: true },
  ];
}

function expectNoOwnerValue(body: string, label: string): void {
  for (const v of OWNER_VALUES) expect(body.includes(v), `${label}: owner's value in the answer`).toBe(false);
  for (const v of REPORT_MARKERS)
    expect(body.includes(v), `${label}: part of the admin report in the answer`).toBe(false);
}

it("the owner does see their own values (so their absence below means something)", async () => {
  const me = await (await owner.get("/api/me")).text();
  const settings = await (await owner.get("/settings")).text();
  for (const v of [OWNER.first_name, OWNER.username]) {
    expect(me).toContain(v);
    expect(settings).toContain(v);
  }
  // The owner is the admin: every form of the report carries the markers the refusals must not.
  const json = await (await owner.get("/api/admin/report")).text();
  const csv = await (await owner.get("/api/admin/report?format=csv")).text();
  const page = await (await owner.get("/admin")).text();
  expect(json).toContain("unknownFieldsStored");
  expect(csv).toContain("section,item,measure");
  expect(page).toContain("Values stored without a live consent");
});

describe("account API", () => {
  for (const route of ACCOUNT_API) {
    it(`${route.method} ${route.path} is refused to everyone but the owner`, async () => {
      const before = await fingerprint(app);
      for (const id of identities()) {
        // Another user may act on their own account, but never on the owner's: only reads for them here.
        if (id.isOtherUser && route.method !== "GET") continue;
        const client = await id.client();
        const stateBefore = id.isOtherUser ? null : await fingerprint(app);
        const variants: Record<string, string>[] = [{}, { RSC: "1" }, { RSC: "1", "Next-Router-Prefetch": "1" }];
        for (const headers of variants) {
          const res = await requestFollowing(client, route.method, route.path, { json: route.body?.(), headers });
          const body = await res.text();
          expect(res.status, `${id.label}`).toBeLessThan(500);
          expectNoOwnerValue(body, `${route.method} ${route.path} as ${id.label}`);
          if (!id.isOtherUser) {
            // A pending first sign-in may finish only through the consent route, and only by granting
            // the account purpose, which this body does not: 400, nothing stored.
            const allowed = id.pending && route.path === "/api/me/consents" ? [400] : [401];
            expect(allowed, `${route.method} ${route.path} as ${id.label}`).toContain(res.status);
            expect(JSON.parse(body)).toEqual({ error: expect.any(String) });
          } else if (route.access === "admin") {
            // Signed in, but not an admin.
            expect(res.status, `${route.path} as ${id.label}`).toBe(403);
            expect(JSON.parse(body)).toEqual({ error: expect.any(String) });
          }
          refusals += 1;
        }
        if (stateBefore) expect((await fingerprint(app)).hash, `state changed by ${id.label}`).toBe(stateBefore.hash);
      }
      // The owner's data is untouched by all of it.
      const after = await query(app, "SELECT field FROM user_fields WHERE user_id = $1 ORDER BY field", [ownerId]);
      expect(after.length).toBe(5);
      expect(before.counts.users).toBeGreaterThanOrEqual(2);
    });
  }
});

describe("account pages, in every request variant", () => {
  for (const page of ACCOUNT_PAGES) {
    for (const variant of pageVariants(page.path)) {
      it(`${page.path} (${variant.label})`, async () => {
        for (const id of identities()) {
          const client = await id.client();
          // "You are signed out" is for a caller whose session cookie no longer opens a session;
          // one who sent none is asked to sign in (lib/web/session.ts requireUser).
          const sentSession = client.cookies.has(SESSION_COOKIE);
          const res = await requestFollowing(client, "GET", variant.path, { headers: variant.headers });
          const body = await res.text();
          expect(res.status, id.label).toBeLessThan(500);
          expectNoOwnerValue(body, `${variant.path} ${variant.label} as ${id.label}`);
          if (variant.label === "html" && page.access === "admin") {
            // The admin page answers everyone else with the 403 page, signed in or not.
            expect(res.status, id.label).toBe(403);
          } else if (!id.isOtherUser && variant.label === "html") {
            expect(res.status, id.label).toBe(307);
            expect(res.headers.get("location"), id.label).toMatch(
              sentSession ? /\/\?signed-out=1$/ : /\/\?signin=required$/,
            );
          }
          refusals += 1;
        }
      });
    }
  }
});

it("the owner is still signed in and intact after every refused attempt", async () => {
  const me = (await (await owner.get("/api/me")).json()) as {
    id: string;
    purposes: Record<string, { fields: Record<string, string> }>;
  };
  expect(me.id).toBe(ownerId);
  expect(me.purposes.display_name!.fields.first_name).toBe(OWNER.first_name);
});
