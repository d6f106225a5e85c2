import "server-only";
// The sign-in use case behind POST /api/auth/telegram: parse → verify → single use → find or hold
// the user → session. Every refusal of a well-formed payload looks the same to the caller.
import { env } from "./env";
import { claimLoginPayload } from "./data/login-replay";
import { signInWithTelegram } from "./data/users";
import { securityEvent } from "./log";
import { consume } from "./rate-limit";
import { setPendingSignIn, startSession } from "./session";
import { nowSeconds } from "./session-cookie";
import { verifyWidgetPayload } from "./telegram/widget";

export const UNAUTHORIZED_MESSAGE = "Telegram could not confirm this sign-in. Please press the Telegram button and try again.";

export type SignInResult =
  | { ok: true; next: string }
  | { ok: false; status: 400; message: string }
  | { ok: false; status: 401; message: string }
  | { ok: false; status: 503; message: string };

/**
 * Rate limits (docs/decisions/007): behind a trusted proxy every attempt counts against the client
 * address; otherwise the address may be forged, so it only throttles refusals, and a verified
 * sign-in counts against the Telegram account that Telegram signed for. A RateLimitedError thrown
 * here becomes the contract's 429 in lib/http.ts.
 */
export async function signInWithWidgetPayload(body: unknown, requestId: string, client: { address: string; trusted: boolean }): Promise<SignInResult> {
  const { botToken, authMaxAgeSeconds, authFutureSkewSeconds } = env();
  if (!botToken) return { ok: false, status: 503, message: "Telegram sign-in is not configured on this server (TELEGRAM_BOT_TOKEN)." };
  if (client.trusted) await consume("loginAddress", client.address);
  const verified = await verifyWidgetPayload(body, { botToken, nowSeconds: nowSeconds(), maxAgeSeconds: authMaxAgeSeconds, futureSkewSeconds: authFutureSkewSeconds });
  if (!verified.ok) {
    securityEvent(verified.kind === "malformed" ? "auth.malformed" : "auth.refused", requestId);
    await consume("loginRefused", client.address);
    return verified.kind === "malformed" ? { ok: false, status: 400, message: verified.message } : { ok: false, status: 401, message: UNAUTHORIZED_MESSAGE };
  }
  // Single use before the account limit: a replayed copy of someone's payload must not use up
  // that person's sign-ins.
  if (!(await claimLoginPayload(verified.replayKey, verified.authDate))) {
    securityEvent("auth.replay_refused", requestId);
    await consume("loginRefused", client.address);
    return { ok: false, status: 401, message: UNAUTHORIZED_MESSAGE };
  }
  await consume("loginAccount", verified.profile.telegramId.toString());
  const outcome = await signInWithTelegram(verified.profile);
  if (outcome.kind === "new") {
    await setPendingSignIn(verified.profile);
    securityEvent("auth.pending_consent", requestId);
    return { ok: true, next: "/consent" };
  }
  await startSession(outcome.userId, outcome.sessionVersion);
  securityEvent("auth.signed_in", requestId);
  return { ok: true, next: outcome.needsConsent ? "/consent" : "/settings" };
}
