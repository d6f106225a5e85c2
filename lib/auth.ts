import "server-only";
// The sign-in use case behind POST /api/auth/telegram: parse → verify → single use → find or hold
// the user → session. Every refusal of a well-formed payload looks the same to the caller.
import { env } from "./env";
import { claimContact } from "./data/login-replay";
import { phoneUse, savePhoneFromTelegram } from "./data/phone";
import { signInWithTelegram, type SignInOutcome } from "./data/sign-in";
import { telegramIdIndexes } from "./data/vault";
import { securityEvent } from "./log";
import { consume, isBlocked } from "./rate-limit";
import { getSession, newSessionExpiry, setOidcFlow, setPendingSignIn, startSession, takeOidcFlow } from "./session";
import { nowSeconds } from "./session-cookie";
import { authorizationUrl, exchangeAndVerify, newFlowSecrets, sameState } from "./telegram/oidc";
import { verifyWebAppContact, verifyWebAppInitData } from "./telegram/webapp";
import { verifyWidgetPayload, type TelegramProfile } from "./telegram/widget";

export const UNAUTHORIZED_MESSAGE =
  "Telegram could not confirm this sign-in. Please press the Telegram button and try again.";

export type SignInResult =
  | { ok: true; next: string }
  | { ok: false; status: 400; message: string }
  | { ok: false; status: 401; message: string }
  | { ok: false; status: 503; message: string };

/**
 * Rate limits (docs/decisions/007): behind a trusted proxy every attempt counts against the client
 * address, and an address that used up its refusals is answered before any work; otherwise the
 * address may be forged, so it only throttles refusals. A sign-in counts against the Telegram
 * account that Telegram signed for, and only once its payload won the single-use claim: a replayed
 * copy of a used payload never spends its owner's budget. A RateLimitedError thrown here becomes the
 * contract's 429 in lib/http.ts.
 */
export async function signInWithWidgetPayload(
  body: unknown,
  requestId: string,
  client: { address: string; trusted: boolean },
): Promise<SignInResult> {
  const { botToken, authMaxAgeSeconds, authFutureSkewSeconds } = env();
  if (!botToken)
    return {
      ok: false,
      status: 503,
      message: "Telegram sign-in is not configured on this server (TELEGRAM_BOT_TOKEN).",
    };
  return signInVerified(requestId, client, () =>
    verifyWidgetPayload(body, {
      botToken,
      nowSeconds: nowSeconds(),
      maxAgeSeconds: authMaxAgeSeconds,
      futureSkewSeconds: authFutureSkewSeconds,
    }),
  );
}

/** The Mini App's keys and window, or null when neither the bot token nor the bot id is configured. */
function webAppOptions() {
  const { botToken, botId, webAppPublicKeyHex, authMaxAgeSeconds, authFutureSkewSeconds } = env();
  if (!botToken && !botId) return null;
  return {
    botToken,
    botId,
    publicKeyHex: webAppPublicKeyHex,
    nowSeconds: nowSeconds(),
    maxAgeSeconds: authMaxAgeSeconds,
    futureSkewSeconds: authFutureSkewSeconds,
  };
}

/**
 * POST /api/auth/telegram/webapp: a Mini App's init data, under the widget's rules (the same limits,
 * single use, refusals and ending). `locale`: the person's Telegram language_code, for the pages.
 */
export async function signInWithWebAppData(
  body: Record<string, unknown>,
  requestId: string,
  client: { address: string; trusted: boolean },
): Promise<SignInResult & { locale?: string }> {
  const opts = webAppOptions();
  if (!opts)
    return {
      ok: false,
      status: 503,
      message: "Telegram Mini App sign-in is not configured on this server (TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_ID).",
    };
  const keys = Object.keys(body);
  const input = keys.length === 1 && keys[0] === "initData" ? body.initData : undefined;
  let locale: string | undefined;
  const result = await signInVerified(requestId, client, async () => {
    if (input === undefined)
      return { ok: false, kind: "malformed", message: 'Malformed init data (the body must be {"initData": "..."})' };
    const verified = verifyWebAppInitData(input, opts);
    if (verified.ok) locale = verified.languageCode;
    return verified;
  });
  return result.ok && locale ? { ...result, locale } : result;
}

type Verified =
  | { ok: true; profile: TelegramProfile; authDate: number; replayKey: string }
  | { ok: false; kind: "malformed"; message: string }
  | { ok: false; kind: "unauthorized" };

/** Limits → verification → single-use claim → ending, shared by the widget and the Mini App. */
async function signInVerified(
  requestId: string,
  client: { address: string; trusted: boolean },
  verify: () => Promise<Verified> | Verified,
): Promise<SignInResult> {
  if (client.trusted) {
    await consume("loginAddress", client.address);
    const blocked = await isBlocked("loginRefused", client.address);
    if (blocked) throw blocked;
  }
  const verified = await verify();
  if (!verified.ok) {
    securityEvent(verified.kind === "malformed" ? "auth.malformed" : "auth.refused", requestId);
    await consume("loginRefused", client.address);
    return verified.kind === "malformed"
      ? { ok: false, status: 400, message: verified.message }
      : { ok: false, status: 401, message: UNAUTHORIZED_MESSAGE };
  }
  // The account's budget is checked before the claim (a used-up account keeps its payload
  // unclaimed) and spent with it; sign-ins racing past the check can overshoot the budget by their
  // number, and the next one meets the check.
  const outcome = await signInWithTelegram(verified.profile, {
    claim: {
      replayKey: verified.replayKey,
      authDate: verified.authDate,
      budget: { limit: "loginAccount", key: verified.profile.telegramId.toString() },
    },
    sessionExpiresAt: newSessionExpiry(),
  });
  if (outcome.kind === "replay") {
    securityEvent("auth.replay_refused", requestId);
    await consume("loginRefused", client.address);
    return { ok: false, status: 401, message: UNAUTHORIZED_MESSAGE };
  }
  return { ok: true, next: await endSignIn(outcome, verified.profile, requestId) };
}

export type MiniAppContactResult =
  | { ok: true; stored: boolean; verified: boolean }
  | { ok: false; status: 400 | 401 | 403 | 409 | 503; message: string };

/**
 * POST /api/me/phone/miniapp-contact: the answer of Telegram.WebApp.requestContact, signed by Telegram
 * like init data. Only the signed-in person's own number, only under a granted purpose, each answer
 * once; then the same save as the other phone paths.
 */
export async function saveMiniAppContact(
  body: Record<string, unknown>,
  requestId: string,
): Promise<MiniAppContactResult> {
  const user = await getSession();
  if (!user)
    return { ok: false, status: 401, message: "Sign in first, then share your phone number from the settings page." };
  const opts = webAppOptions();
  if (!opts?.botToken)
    return {
      ok: false,
      status: 503,
      // Telegram signs a contact with the bot's key only: no Ed25519 signature to check without it.
      message: "Sharing a phone number in the Mini App is not configured on this server (TELEGRAM_BOT_TOKEN).",
    };
  const use = await phoneUse(user.id);
  if (!use.store && !use.verify)
    return {
      ok: false,
      status: 403,
      message:
        "Turn on a purpose that uses your phone number on the settings page first; until then we never ask Telegram for it.",
    };
  const keys = Object.keys(body);
  const input = keys.length === 1 && keys[0] === "contact" ? body.contact : undefined;
  const verified =
    input === undefined
      ? ({ ok: false, kind: "malformed", message: 'Malformed contact (the body must be {"contact": "..."})' } as const)
      : verifyWebAppContact(input, { ...opts, botId: null });
  if (!verified.ok) {
    securityEvent("phone.refused", requestId, { reason: verified.kind });
    return verified.kind === "malformed"
      ? { ok: false, status: 400, message: verified.message }
      : { ok: false, status: 401, message: "Telegram could not confirm this phone number, so nothing was stored." };
  }
  if (!telegramIdIndexes(verified.telegramId).includes(user.telegramIdIndex)) {
    securityEvent("phone.refused", requestId, { reason: "other_account" });
    return {
      ok: false,
      status: 401,
      message: "This is not the phone number of the Telegram account signed in here, so nothing was stored.",
    };
  }
  if (!(await claimContact(verified.replayKey, verified.authDate))) {
    securityEvent("phone.refused", requestId, { reason: "replay" });
    return { ok: false, status: 401, message: "Telegram could not confirm this phone number, so nothing was stored." };
  }
  const saved = await savePhoneFromTelegram(user.id, verified.phoneNumber, "miniapp");
  if (!saved.ok) {
    securityEvent("phone.refused", requestId, { reason: saved.reason });
    return {
      ok: false,
      status: saved.reason === "taken" ? 409 : saved.reason === "no_consent" ? 403 : 400,
      message: saved.message,
    };
  }
  securityEvent("phone.stored", requestId, { stored: saved.stored, verified: saved.verified, via: "miniapp" });
  return { ok: true, stored: saved.stored, verified: saved.verified };
}

/**
 * The one ending of a sign-in, widget or OpenID Connect: a new person waits for consent in a pending
 * sign-in; a returning one gets the session the sign-in created. Returns where the browser goes next.
 */
async function endSignIn(
  outcome: Exclude<SignInOutcome, { kind: "replay" }>,
  profile: TelegramProfile,
  requestId: string,
  detail: { via?: "oidc" } = {},
): Promise<string> {
  if (outcome.kind === "new") {
    await setPendingSignIn(profile);
    securityEvent("auth.pending_consent", requestId, detail);
    return "/consent";
  }
  await startSession(outcome.userId, outcome.sessionVersion, outcome.sessionId ?? undefined);
  securityEvent("auth.signed_in", requestId, detail);
  return outcome.needsConsent ? "/consent" : "/settings";
}

// --- Telegram OpenID Connect -------------------------------------------------------------------

export type OidcStartResult = { ok: true; location: string } | { ok: false; status: 401 | 403 | 503; message: string };

/**
 * Begins the authorization code flow. "login" asks for openid and profile only; "phone" is for a
 * signed-in user who granted a purpose that uses the phone number, and only then adds the phone scope.
 */
export async function startOidc(intent: "login" | "phone", requestId: string): Promise<OidcStartResult> {
  const config = env().oidc;
  if (!config)
    return {
      ok: false,
      status: 503,
      message: "Telegram OpenID Connect sign-in is not configured on this server (TELEGRAM_OIDC_CLIENT_ID).",
    };
  const scopes = ["openid", "profile"];
  let uid: string | null = null;
  if (intent === "phone") {
    const user = await getSession();
    if (!user)
      return { ok: false, status: 401, message: "Sign in first, then share your phone number from the settings page." };
    const use = await phoneUse(user.id);
    if (!use.store && !use.verify)
      return {
        ok: false,
        status: 403,
        message:
          "Turn on a purpose that uses your phone number on the settings page first; until then we never ask Telegram for it.",
      };
    scopes.push("phone");
    uid = user.id;
  }
  const secrets = newFlowSecrets();
  let location: string;
  try {
    location = await authorizationUrl(config, { scopes, ...secrets });
  } catch {
    return {
      ok: false,
      status: 503,
      message: "Telegram's sign-in service cannot be reached right now. Please try again in a minute.",
    };
  }
  await setOidcFlow({ st: secrets.state, cv: secrets.verifier, nn: secrets.nonce, intent, uid });
  securityEvent("oidc.started", requestId, { intent });
  return { ok: true, location };
}

export type OidcFinishResult =
  // `locale`: Telegram's language for the person (the ID token's locale claim), on a sign-in only.
  { ok: true; location: string; locale?: string } | { ok: false; status: 400 | 401 | 409 | 503; message: string };

/**
 * The callback: state → code exchange → ID token verification → the same sign-in as the widget's
 * (a first sign-in waits for consent), or, for the phone intent, storing the number under consent.
 */
export async function finishOidc(params: URLSearchParams, requestId: string): Promise<OidcFinishResult> {
  const config = env().oidc;
  if (!config)
    return {
      ok: false,
      status: 503,
      message: "Telegram OpenID Connect sign-in is not configured on this server (TELEGRAM_OIDC_CLIENT_ID).",
    };
  const flow = await takeOidcFlow();
  if (!flow || !sameState(flow.st, params.get("state"))) {
    securityEvent("oidc.refused", requestId, { reason: "state" });
    return {
      ok: false,
      status: 400,
      message:
        "This sign-in link is not the one we started, or it has expired. Please press the Telegram button again.",
    };
  }
  if (params.get("error")) {
    securityEvent("oidc.refused", requestId, { reason: "provider_error" });
    return { ok: true, location: flow.intent === "phone" ? "/settings?phone=cancelled" : "/?signin=cancelled" };
  }
  const code = params.get("code");
  if (!code || code.length > 2048)
    return {
      ok: false,
      status: 400,
      message: "Telegram did not send a sign-in code. Please press the Telegram button again.",
    };
  const result = await exchangeAndVerify(config, { code, verifier: flow.cv, nonce: flow.nn });
  if (!result.ok) {
    securityEvent("oidc.refused", requestId, { reason: result.kind });
    if (result.kind === "provider_unavailable")
      return {
        ok: false,
        status: 503,
        message: "Telegram's sign-in service cannot be reached right now. Please try again in a minute.",
      };
    return { ok: false, status: 401, message: UNAUTHORIZED_MESSAGE };
  }
  const { profile, phoneNumber } = result.identity;

  if (flow.intent === "phone") {
    const user = await getSession();
    // Same browser session that asked, and the Telegram account that answered is the one signed in.
    if (!user || user.id !== flow.uid || !telegramIdIndexes(profile.telegramId).includes(user.telegramIdIndex)) {
      securityEvent("phone.refused", requestId, { reason: "other_account" });
      return {
        ok: false,
        status: 401,
        message: "The Telegram account that answered is not the one signed in here, so nothing was stored.",
      };
    }
    if (phoneNumber === undefined) return { ok: true, location: "/settings?phone=not-shared" };
    const saved = await savePhoneFromTelegram(user.id, phoneNumber, "oidc");
    if (!saved.ok) {
      securityEvent("phone.refused", requestId, { reason: saved.reason });
      return { ok: false, status: saved.reason === "taken" ? 409 : 400, message: saved.message };
    }
    securityEvent("phone.stored", requestId, { stored: saved.stored, verified: saved.verified });
    return { ok: true, location: `/settings?phone=${saved.stored ? "saved" : "verified"}` };
  }

  // A login never asked for the phone scope: a number sent anyway is not used.
  // The authorization code is single use at the provider, so there is no payload to claim here.
  const outcome = await signInWithTelegram(profile, { sessionExpiresAt: newSessionExpiry() });
  if (outcome.kind === "replay") throw new Error("replay reported without a claim");
  return {
    ok: true,
    location: await endSignIn(outcome, profile, requestId, { via: "oidc" }),
    locale: result.identity.locale,
  };
}
