// The cookie half of lib/web/session.ts, without the database, so proxy.ts can refresh the idle clock
// without pulling in Prisma. lib/web/session.ts and proxy.ts use its cookies; lib/use-cases/auth.ts and lib/demo/index.ts
// take its clock (nowSeconds), and the consent page and its action the pending sign-in's lifetime.
//
// The session cookie holds only the session row's id, the random user id, the session version it was
// issued under, and two timestamps. A pending sign-in (a first sign-in waiting for the consent page)
// has its own short-lived cookie holding the profile Telegram sent; the database holds only a row
// naming it (a random id, the keyed blind index of the Telegram id, an expiry) until the person
// approves, so that the cookie can be used once and voided (lib/data/pending-sign-ins.ts).
import { sealIron, unsealIron } from "../crypto/iron-seal";
import { env } from "../core/env";

export type SessionData = { sid: string; uid: string; sv: number; iat: number; lat: number };
/** `pid` names the server-side record (lib/data/pending-sign-ins.ts) that makes the cookie single use. */
export type PendingData = { pid: string; tid: string; profile: Record<string, string>; exp: number };
/** One OpenID Connect authorization request: state, PKCE verifier, nonce, and what it is for. */
export type OidcFlowData = {
  st: string;
  cv: string;
  nn: string;
  intent: "login" | "phone";
  uid: string | null;
  exp: number;
};

export { PENDING_TTL_SECONDS } from "../domain/retention";
/** Long enough to confirm in the Telegram app, short enough that a stolen cookie soon expires. */
export const OIDC_FLOW_TTL_SECONDS = 10 * 60;
/** The idle clock is refreshed at most this often, so every request does not set a cookie. */
export const REFRESH_AFTER_SECONDS = 60;

export function sessionCookieName(): string {
  // __Host- pins the cookie to this exact host, path / and Secure: no subdomain can set or read it.
  return env().production && !env().demo ? "__Host-session" : "session";
}
export function pendingCookieName(): string {
  return env().production && !env().demo ? "__Host-pending" : "pending";
}

export function oidcCookieName(): string {
  return env().production && !env().demo ? "__Host-oidc" : "oidc";
}

export function cookieOptions(maxAgeSeconds: number) {
  return {
    httpOnly: true,
    secure: env().production && !env().demo,
    sameSite: "lax" as const,
    path: "/",
    maxAge: maxAgeSeconds,
  };
}

function passwords(): Record<string, string> {
  const secrets = env().sessionSecrets;
  // Sealed under the highest id, opened under any: the current secret gets the top id.
  return Object.fromEntries(secrets.map((s, i) => [String(secrets.length - i), s]));
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * iron-session's format, sealed and opened with node:crypto (lib/crypto/iron-seal.ts: the WebCrypto
 * path cost about a millisecond per sign-in, and again per signed-in page); iron-session's unsealData
 * opens it too, with the current secret under the highest id as before.
 */
export async function seal(data: SessionData | PendingData | OidcFlowData, ttlSeconds: number): Promise<string> {
  const secrets = env().sessionSecrets;
  return sealIron(data, { id: String(secrets.length), secret: secrets[0]! }, ttlSeconds);
}

/**
 * The exact shape sealData produces. iron-session ignores anything after its "~2" version suffix
 * (it parses it with parseInt), so a cookie with junk appended would still unseal: refusing all but
 * this shape keeps the cookie non-malleable.
 */
const SEAL_SHAPE = /^Fe26\.2\*[\w*-]+~2$/;

async function unsealRecord(value: string | undefined): Promise<Record<string, unknown> | null> {
  if (!value || value.length > 4096 || !SEAL_SHAPE.test(value)) return null;
  try {
    // The shape ends in the version suffix "~2", which iron-session strips before it unseals.
    const data = unsealIron(value.slice(0, -2), passwords());
    return typeof data === "object" && data !== null && Object.keys(data).length
      ? (data as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The session in the cookie if it is well formed and within both timeouts; no database check. */
export async function readSessionCookie(value: string | undefined, now = nowSeconds()): Promise<SessionData | null> {
  const d = await unsealRecord(value);
  if (
    !d ||
    typeof d.sid !== "string" ||
    typeof d.uid !== "string" ||
    typeof d.sv !== "number" ||
    typeof d.iat !== "number" ||
    typeof d.lat !== "number"
  )
    return null;
  const { sessionIdleSeconds, sessionAbsoluteSeconds } = env();
  if (now - d.iat > sessionAbsoluteSeconds || now - d.lat > sessionIdleSeconds) return null;
  return { sid: d.sid, uid: d.uid, sv: d.sv, iat: d.iat, lat: d.lat };
}

export async function readPendingCookie(value: string | undefined, now = nowSeconds()): Promise<PendingData | null> {
  const d = await unsealRecord(value);
  if (
    !d ||
    typeof d.pid !== "string" ||
    typeof d.tid !== "string" ||
    typeof d.exp !== "number" ||
    typeof d.profile !== "object" ||
    d.profile === null
  )
    return null;
  if (d.exp < now) return null;
  return { pid: d.pid, tid: d.tid, profile: d.profile as Record<string, string>, exp: d.exp };
}

export async function readOidcCookie(value: string | undefined, now = nowSeconds()): Promise<OidcFlowData | null> {
  const d = await unsealRecord(value);
  if (
    !d ||
    typeof d.st !== "string" ||
    typeof d.cv !== "string" ||
    typeof d.nn !== "string" ||
    typeof d.exp !== "number"
  )
    return null;
  if (d.intent !== "login" && d.intent !== "phone") return null;
  if (d.exp < now) return null;
  return { st: d.st, cv: d.cv, nn: d.nn, intent: d.intent, uid: typeof d.uid === "string" ? d.uid : null, exp: d.exp };
}

export function sessionTtl(data: SessionData): number {
  return Math.max(1, data.iat + env().sessionAbsoluteSeconds - nowSeconds());
}

/** For proxy.ts: a new cookie value when the idle clock should move, null when nothing to do. */
export async function refreshedSessionCookie(
  value: string | undefined,
): Promise<{ value: string; maxAge: number } | "expired" | null> {
  if (!value) return null;
  const now = nowSeconds();
  const data = await readSessionCookie(value, now);
  if (!data) return "expired";
  if (now - data.lat < REFRESH_AFTER_SECONDS) return null;
  const next = { ...data, lat: now };
  return { value: await seal(next, sessionTtl(next)), maxAge: sessionTtl(next) };
}
