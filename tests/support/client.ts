// A tiny HTTP client with a cookie jar, speaking the contract the way a browser on the app's own
// origin would (Origin header on unsafe requests).
import { Agent, fetch } from "undici";
import { signWebAppData } from "../../lib/telegram/webapp";
import { signWidgetPayload } from "../../lib/telegram/widget";
import { TEST_BOT_TOKEN, TEST_WEBAPP_KEYS } from "./secrets";

export type Profile = { id: string; first_name?: string; last_name?: string; username?: string; photo_url?: string };

// Two sign-ins of one person in the same second would carry the same signature, which the server
// rightly refuses as a replay: each automatic payload of an id gets a second not used for it before.
const usedAuthDates = new Map<string, Set<number>>();

// No connection reuse: an idle keep-alive socket closed by the server at the moment of reuse would
// fail a request for reasons that have nothing to do with the app.
const agent = new Agent({ pipelining: 0 });

export function signedPayload(
  profile: Profile,
  opts: { authDate?: number; token?: string } = {},
): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  let authDate = opts.authDate;
  if (authDate === undefined) {
    // Now, or the nearest earlier second not yet used for this id: back to now as time passes (a
    // payload stepped back from every earlier one would go stale after AUTH_MAX_AGE_SECONDS).
    const used = usedAuthDates.get(profile.id) ?? new Set<number>();
    authDate = now;
    while (used.has(authDate)) authDate -= 1;
    used.add(authDate);
    usedAuthDates.set(profile.id, used);
  }
  const fields: Record<string, string> = { auth_date: String(authDate) };
  for (const [k, v] of Object.entries(profile)) if (v !== undefined) fields[k] = v;
  return signWidgetPayload(opts.token ?? TEST_BOT_TOKEN, fields);
}

export const ONLY_ACCOUNT = {
  account: true,
  display_name: false,
  username: false,
  profile_photo: false,
  phone_contact: false,
  phone_verification: false,
} as const;
export const EVERYTHING = {
  account: true,
  display_name: true,
  username: true,
  profile_photo: true,
  phone_contact: true,
  phone_verification: true,
} as const;

export class Client {
  cookies = new Map<string, string>();
  constructor(readonly origin: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(
    method: string,
    path: string,
    opts: { json?: unknown; body?: string; headers?: Record<string, string>; origin?: string | null } = {},
  ) {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    if (opts.json !== undefined) headers["content-type"] = "application/json";
    if (opts.origin !== null && !["GET", "HEAD"].includes(method)) headers.origin = opts.origin ?? this.origin;
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers,
      body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body,
      redirect: "manual",
      dispatcher: agent,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /max-age=0\b/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a.trim()));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string) {
    return this.request("GET", path);
  }

  /** Signs in with a fresh payload; a new person is asked for consent, which `decisions` answers. */
  async signIn(profile: Profile, decisions: Record<string, boolean> = ONLY_ACCOUNT): Promise<{ next: string }> {
    const res = await this.request("POST", "/api/auth/telegram", { json: signedPayload(profile) });
    if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { next: string };
    if (body.next === "/consent") {
      const c = await this.request("PUT", "/api/me/consents", { json: { purposes: decisions } });
      if (c.status !== 200) throw new Error(`consent answered ${c.status}: ${await c.text()}`);
    }
    return body;
  }
}

/**
 * Init data as Telegram hands it to a Mini App (Telegram.WebApp.initData), for the test bot: signed
 * with its token (hash) and, unless `proofs` says otherwise, with the test stand-in of Telegram's
 * Ed25519 key (signature). The auth_date steps back like signedPayload's, so each is distinct.
 */
export function signedInitData(
  profile: Profile & { language_code?: string },
  opts: {
    authDate?: number;
    token?: string;
    botId?: string;
    proofs?: "both" | "hash" | "signature";
    extra?: Record<string, string>;
  } = {},
): string {
  const widget = signedPayload({ id: profile.id }, { authDate: opts.authDate });
  const user: Record<string, unknown> = { id: Number(profile.id) };
  for (const [k, v] of Object.entries(profile)) if (k !== "id" && v !== undefined) user[k] = v;
  user.allows_write_to_pm = true;
  const fields = {
    query_id: `AAH${profile.id}`,
    user: JSON.stringify(user),
    auth_date: widget.auth_date!,
    ...opts.extra,
  };
  const token = opts.token ?? TEST_BOT_TOKEN;
  const proofs = opts.proofs ?? "both";
  const signed = signWebAppData(fields, {
    ...(proofs !== "signature" ? { botToken: token } : {}),
    ...(proofs !== "hash"
      ? { ed25519: { botId: opts.botId ?? token.split(":")[0]!, privateKey: TEST_WEBAPP_KEYS.privateKey } }
      : {}),
  });
  if (proofs !== "signature") return signed;
  // Telegram always sends a hash; with only the bot id it cannot be checked, so any will do here.
  return `${signed}&hash=${"0".repeat(64)}`;
}

/** The signed answer of Telegram.WebApp.requestContact for a Telegram user. */
export function signedContact(
  userId: string,
  phoneNumber: string,
  opts: { token?: string; authDate?: number } = {},
): string {
  return signWebAppData(
    {
      contact: JSON.stringify({ user_id: Number(userId), phone_number: phoneNumber, first_name: "Contact" }),
      auth_date: String(opts.authDate ?? Math.floor(Date.now() / 1000)),
    },
    { botToken: opts.token ?? TEST_BOT_TOKEN },
  );
}
