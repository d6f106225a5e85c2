// The one list the security suite drives: every route handler and page, who may use it, and what a
// valid request looks like. Headers, access control, fuzzing and the browser checks all read it,
// so a new route is covered by adding one entry here.
//
// access:  "public"  anyone (sign-in, health, the start page)
//          "pending" a first sign-in waiting for consent (the consent page)
//          "user"    a signed-in user, about themselves
//          "admin"   a signed-in admin (403 for everyone else)
//          "webhook" Telegram's servers, proven by X-Telegram-Bot-Api-Secret-Token
export type Access = "public" | "pending" | "user" | "admin" | "webhook";

export type ApiRoute = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  access: Access;
  /** A well-formed body for a caller who is allowed in; fuzzing starts from it. */
  body?: () => unknown;
  /** Answers with someone's personal data when allowed: must never be stored by a cache. */
  personal: boolean;
  /** The answer must carry Clear-Site-Data (logout, erasure). */
  clearsSiteData?: boolean;
};

export type PageRoute = { path: string; access: Access; personal: boolean };

export const API_ROUTES: ApiRoute[] = [
  { method: "GET", path: "/api/health", access: "public", personal: false },
  { method: "POST", path: "/api/auth/telegram", access: "public", personal: false },
  // A Mini App's sign-in (Telegram.WebApp.initData), answered like the widget's.
  {
    method: "POST",
    path: "/api/auth/telegram/webapp",
    access: "public",
    personal: false,
    body: () => ({ initData: "auth_date=1&hash=" + "0".repeat(64) }),
  },
  { method: "POST", path: "/api/auth/logout", access: "public", personal: false, clearsSiteData: true },
  { method: "POST", path: "/api/demo/sign-in", access: "public", personal: false, body: () => ({ persona: "ada" }) },
  // Demo mode only (the simulated phone sharing): 404 on these servers, like the demo sign-in.
  { method: "POST", path: "/api/demo/phone", access: "public", personal: false, body: () => ({}) },
  { method: "GET", path: "/api/me", access: "user", personal: true },
  { method: "DELETE", path: "/api/me", access: "user", personal: true, clearsSiteData: true },
  { method: "POST", path: "/api/me/delete", access: "user", personal: true, clearsSiteData: true },
  {
    method: "PUT",
    path: "/api/me/consents",
    access: "user",
    personal: true,
    body: () => ({ purposes: { display_name: true } }),
  },
  { method: "GET", path: "/api/me/export", access: "user", personal: true },
  { method: "GET", path: "/api/me/receipt", access: "user", personal: true },
  // A one-time t.me deep link for the bot to ask for the user's own contact (phone purposes only).
  { method: "POST", path: "/api/me/phone/bot-link", access: "user", personal: true },
  // The Mini App's requestContact answer, signed by Telegram (phone purposes only).
  {
    method: "POST",
    path: "/api/me/phone/miniapp-contact",
    access: "user",
    personal: true,
    body: () => ({ contact: "auth_date=1&contact=%7B%7D&hash=" + "0".repeat(64) }),
  },
  // Aggregates only, never a personal value; refused to everyone but the configured admins.
  { method: "GET", path: "/api/admin/report", access: "admin", personal: false },
  { method: "GET", path: "/api/admin/report?format=csv", access: "admin", personal: false },
  // One consenting person's phone number, by account reference and a closed-list reason (/admin/contact).
  {
    method: "POST",
    path: "/api/admin/contact",
    access: "admin",
    personal: true,
    body: () => ({ reference: "0000-0000-0000", reason: "security" }),
  },
  // Telegram OpenID Connect: a link from our own pages starts the flow; Telegram sends the browser back.
  { method: "GET", path: "/api/auth/oidc/start", access: "public", personal: false },
  { method: "GET", path: "/api/auth/oidc/callback", access: "public", personal: false },
  // The bot's contact webhook: Telegram's servers POST an Update with the secret token header.
  {
    method: "POST",
    path: "/api/telegram/webhook",
    access: "webhook",
    personal: false,
    body: () => ({
      update_id: 1,
      message: {
        message_id: 1,
        date: 1,
        chat: { id: 1, type: "private" },
        from: { id: 1, is_bot: false, first_name: "x" },
        contact: { phone_number: "+10000000000", first_name: "x", user_id: 1 },
      },
    }),
  },
];

export const PAGES: PageRoute[] = [
  { path: "/", access: "public", personal: false },
  // The Mini App's entry: signs in from Telegram.WebApp.initData in the browser.
  { path: "/tg", access: "public", personal: false },
  { path: "/consent", access: "pending", personal: false },
  { path: "/settings", access: "user", personal: true },
  { path: "/settings/delete", access: "user", personal: false },
  { path: "/admin", access: "admin", personal: false },
  { path: "/admin/contact", access: "admin", personal: true },
];

/** Routes that only a signed-in user (or an admin) may use: the access-control tests iterate these. */
export const ACCOUNT_API = API_ROUTES.filter((r) => r.access === "user" || r.access === "admin");
export const ACCOUNT_PAGES = PAGES.filter((p) => p.access === "user" || p.access === "admin");

/** A valid router state for a page, as the client router would send it (only its shape is checked). */
export function routerStateFor(path: string): string {
  const segments = path.split("/").filter(Boolean);
  let tree: unknown = ["__PAGE__", {}];
  for (const s of [...segments].reverse()) tree = [s, { children: tree }];
  return encodeURIComponent(JSON.stringify(["", { children: tree }, null, null, 1]));
}

/** The request variants through which a page can be fetched: full HTML, RSC, prefetch, with a router state. */
export function pageVariants(path: string): { label: string; path: string; headers: Record<string, string> }[] {
  return [
    { label: "html", path, headers: {} },
    { label: "RSC", path, headers: { RSC: "1" } },
    { label: "prefetch", path, headers: { RSC: "1", "Next-Router-Prefetch": "1" } },
    { label: "router state", path, headers: { RSC: "1", "Next-Router-State-Tree": routerStateFor(path) } },
    { label: "_rsc query", path: `${path}?_rsc=abc`, headers: { RSC: "1" } },
    { label: "_rsc query, no header", path: `${path}?_rsc=abc`, headers: {} },
  ];
}
