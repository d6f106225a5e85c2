// Telegram's OpenID Connect login (authorization code + PKCE, from the server), verified with jose.
// Telegram's quirks handled here: no userinfo endpoint (every claim is in the ID token); the user id
// is the `id` claim while `sub` is an opaque string that may exceed 2^53 (kept a string, never a
// Number); `phone_number` comes without a leading "+"; the nonce may not be echoed back.
// Returns typed results for bad input; never logs, never stores a token.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { z } from "zod";
import { PROFILE_FIELDS } from "./profile-fields";
import type { TelegramProfile } from "./widget";

export type OidcConfig = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  idTokenAlg: "RS256" | "ES256" | "EdDSA";
  redirectUri: string;
};

const Discovery = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
});
type Discovery = z.infer<typeof Discovery>;

const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const cache = new Map<string, { at: number; doc: Discovery; jwks: ReturnType<typeof createRemoteJWKSet> }>();
const FETCH_TIMEOUT_MS = 10_000;

async function provider(config: OidcConfig) {
  const hit = cache.get(config.issuer);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit;
  const res = await fetch(`${config.issuer}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    redirect: "error",
  });
  if (!res.ok) throw new Error(`OpenID discovery answered ${res.status}`);
  const doc = Discovery.parse(await res.json());
  // A discovery document naming another issuer could hand out someone else's keys (OIDC Discovery §4.3).
  if (doc.issuer !== config.issuer) throw new Error("OpenID discovery names a different issuer");
  const entry = {
    at: Date.now(),
    doc,
    jwks: createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: FETCH_TIMEOUT_MS }),
  };
  cache.set(config.issuer, entry);
  return entry;
}

const b64url = (buf: Buffer) => buf.toString("base64url");

/** Fresh state, PKCE verifier and nonce for one authorization request. */
export function newFlowSecrets(): { state: string; verifier: string; nonce: string } {
  return { state: b64url(randomBytes(32)), verifier: b64url(randomBytes(32)), nonce: b64url(randomBytes(32)) };
}

export function pkceChallenge(verifier: string): string {
  return b64url(createHash("sha256").update(verifier).digest());
}

export async function authorizationUrl(
  config: OidcConfig,
  p: { scopes: string[]; state: string; verifier: string; nonce: string },
): Promise<string> {
  const { doc } = await provider(config);
  const url = new URL(doc.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: p.scopes.join(" "),
    state: p.state,
    nonce: p.nonce,
    code_challenge: pkceChallenge(p.verifier),
    code_challenge_method: "S256",
  }).toString();
  return url.toString();
}

/** Constant time, so a guess at the state learns nothing from timing. */
export function sameState(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

export type OidcIdentity = {
  profile: TelegramProfile;
  sub: string;
  phoneNumber: string | undefined;
  /** The standard `locale` claim (a BCP 47 tag) when Telegram sends one: the language of the person's app. */
  locale: string | undefined;
};

export type OidcResult =
  | { ok: true; identity: OidcIdentity }
  | { ok: false; kind: "token_refused" | "id_token_invalid" | "claims_invalid" | "provider_unavailable" };

const TokenResponse = z.object({ id_token: z.string().min(1), token_type: z.string().optional() });

/**
 * Exchanges the code (client_secret_basic, PKCE verifier) and verifies the ID token against the
 * provider's published keys with issuer, audience, algorithm and expiry pinned. The access token
 * is not kept: Telegram has no userinfo endpoint, so there is nothing to use it for.
 */
export async function exchangeAndVerify(
  config: OidcConfig,
  p: { code: string; verifier: string; nonce: string },
): Promise<OidcResult> {
  let entry: Awaited<ReturnType<typeof provider>>;
  try {
    entry = await provider(config);
  } catch {
    return { ok: false, kind: "provider_unavailable" };
  }
  const basic = Buffer.from(
    `${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`,
  ).toString("base64");
  let idToken: string;
  try {
    const res = await fetch(entry.doc.token_endpoint, {
      method: "POST",
      headers: {
        authorization: `Basic ${basic}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: p.code,
        redirect_uri: config.redirectUri,
        code_verifier: p.verifier,
        client_id: config.clientId,
      }),
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      redirect: "error",
    });
    if (!res.ok) return { ok: false, kind: "token_refused" };
    const parsed = TokenResponse.safeParse(await res.json());
    if (!parsed.success) return { ok: false, kind: "token_refused" };
    idToken = parsed.data.id_token;
  } catch {
    return { ok: false, kind: "provider_unavailable" };
  }

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, entry.jwks, {
      issuer: config.issuer,
      audience: config.clientId,
      algorithms: [config.idTokenAlg],
      requiredClaims: ["iss", "aud", "exp", "iat", "sub"],
      clockTolerance: 30,
    }));
  } catch (e) {
    if (e instanceof joseErrors.JOSEError && !(e instanceof joseErrors.JWKSTimeout))
      return { ok: false, kind: "id_token_invalid" };
    return { ok: false, kind: "provider_unavailable" };
  }
  // An ID token for several audiences must name us as its authorized party (OIDC Core §3.1.3.7).
  if (
    Array.isArray(payload.aud) &&
    (payload.aud.length !== 1 || payload.aud[0] !== config.clientId) &&
    payload.azp !== config.clientId
  ) {
    return { ok: false, kind: "id_token_invalid" };
  }
  // Telegram may leave the nonce out; one that is present must be ours.
  if (payload.nonce !== undefined && (typeof payload.nonce !== "string" || !sameState(p.nonce, payload.nonce)))
    return { ok: false, kind: "id_token_invalid" };
  const identity = identityFromClaims(payload);
  return identity ? { ok: true, identity } : { ok: false, kind: "claims_invalid" };
}

/** A claim that is absent or empty is "not sent"; a phone number is checked later, by normalizePhone. */
const optionalString = (v: unknown) => (typeof v === "string" && v.length > 0 && v.length <= 64 ? v : undefined);

/**
 * A profile claim under the widget's rules (profile-fields.ts). `invalid` refuses the whole ID
 * token, as the widget refuses a whole payload with one malformed field.
 */
function profileClaim(schema: z.ZodType<string>, v: unknown): string | undefined | typeof INVALID {
  if (v === undefined || v === null || v === "") return undefined;
  const parsed = schema.safeParse(v);
  return parsed.success ? parsed.data : INVALID;
}
const INVALID = Symbol("invalid");

/** Maps Telegram's claims to the profile fields the Login Widget gives, plus the phone when sent. */
export function identityFromClaims(claims: JWTPayload): OidcIdentity | null {
  const rawId = claims.id;
  // Telegram ids have at most 52 significant bits: a JSON number is exact; a string must be digits.
  const idText =
    typeof rawId === "number" && Number.isSafeInteger(rawId) && rawId > 0
      ? String(rawId)
      : typeof rawId === "string"
        ? rawId
        : "";
  if (!/^[1-9][0-9]{0,15}$/.test(idText) || typeof claims.sub !== "string" || claims.sub.length === 0) return null;
  const given = profileClaim(PROFILE_FIELDS.first_name, claims.given_name);
  const name = profileClaim(PROFILE_FIELDS.first_name, claims.name);
  const family = given === undefined ? undefined : profileClaim(PROFILE_FIELDS.last_name, claims.family_name);
  const username = profileClaim(PROFILE_FIELDS.username, claims.preferred_username);
  const photo = profileClaim(PROFILE_FIELDS.photo_url, claims.picture);
  if ([given, name, family, username, photo].includes(INVALID)) return null;
  const text = (v: string | undefined | typeof INVALID) => (v === INVALID ? undefined : v);
  return {
    sub: claims.sub,
    profile: {
      telegramId: BigInt(idText),
      first_name: text(given) ?? text(name),
      last_name: text(family),
      username: text(username),
      photo_url: text(photo),
    },
    phoneNumber: optionalString(claims.phone_number),
    // Only a hint for the pages' language: a malformed one is ignored, never a reason to refuse.
    locale:
      typeof claims.locale === "string" && /^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/.test(claims.locale)
        ? claims.locale.slice(0, 35)
        : undefined,
  };
}
