// A tiny HTTP client with a cookie jar, speaking the contract the way a browser on the app's own
// origin would (Origin header on unsafe requests).
import { Agent, fetch } from "undici";
import { signWidgetPayload } from "../../lib/telegram/widget";
import { TEST_BOT_TOKEN } from "./secrets";

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
