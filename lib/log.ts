// Structured logs with every personal field, cookie and token redacted by path, and a closed set
// of security events. Callers never pass profile values; the redaction is the second line.
import pino from "pino";
import { env } from "./env";

const REDACT = [
  "*.first_name", "*.last_name", "*.username", "*.photo_url", "*.phone_number", "*.phone", "*.id", "*.telegram_id", "*.telegramId",
  "*.hash", "*.token", "*.state", "*.nonce", "*.code_verifier", "*.secret_token", "*.contact", "*.text", "*.code", "*.id_token", "*.access_token", "*.cookie", "*.authorization",
  "req.headers.cookie", "req.headers.authorization", "res.headers['set-cookie']", "headers.cookie", "*.headers['x-telegram-bot-api-secret-token']",
];

let logger: pino.Logger | undefined;

export function log(): pino.Logger {
  logger ??= pino({
    level: env().logLevel,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: "[redacted]" },
  });
  return logger;
}

export type SecurityEvent =
  | "auth.signed_in" | "auth.pending_consent" | "auth.refused" | "auth.replay_refused" | "auth.malformed"
  | "auth.cross_origin_refused" | "auth.logged_out" | "consent.changed" | "user.erased" | "admin.refused" | "rate_limited"
  | "oidc.started" | "oidc.refused" | "phone.stored" | "phone.refused" | "webhook.refused" | "webhook.handled";

export function securityEvent(event: SecurityEvent, requestId: string, detail: Record<string, string | number | boolean> = {}): void {
  log().info({ event, requestId, ...detail }, event);
}
