// Structured logs with every personal field, cookie and token redacted, and a closed set of
// security events. Callers never pass profile values; the redaction is the second line, and it
// works by key name at any depth, so a value nested where no path list expected it is caught too.
import pino from "pino";
import { env } from "./env";

/** Key names (compared without case, "_" or "-") whose values never reach a log line. */
const SENSITIVE_KEYS = new Set(
  [
    "first_name",
    "last_name",
    "username",
    "photo_url",
    "phone_number",
    "phone",
    "contact",
    "email",
    "id",
    "telegram_id",
    "telegramId",
    "user_id",
    "userId",
    "uid",
    "sid",
    "sub",
    "tid",
    "profile",
    "hash",
    "token",
    "code",
    "id_token",
    "access_token",
    "refresh_token",
    "secret",
    "password",
    "auth",
    "cookie",
    "cookies",
    "set-cookie",
    "authorization",
    "x-telegram-bot-api-secret-token",
    "session",
    "state",
    "nonce",
    "code_verifier",
    "secret_token",
    "text",
    "ip",
    "address",
    "remote_address",
    "x-forwarded-for",
    "x-real-ip",
    "forwarded",
    "value",
    "values",
    "ciphertext",
  ].map(normalize),
);

function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, "");
}

export const CENSOR = "[redacted]";

/** A copy of the value with every sensitive key censored, at any depth (cycles and depth bounded). */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > 8 || seen.has(value)) return CENSOR;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  if (value instanceof Error) return { name: value.name, code: (value as { code?: unknown }).code };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SENSITIVE_KEYS.has(normalize(k)) ? CENSOR : redact(v, depth + 1, seen);
  return out;
}

/** The app's logger; tests pass their own destination to read what would be written. */
export function createLogger(level: pino.LevelWithSilent, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => redact(object) as Record<string, unknown> },
    },
    destination,
  );
}

let logger: pino.Logger | undefined;

export function log(): pino.Logger {
  logger ??= createLogger(env().logLevel);
  return logger;
}

export type SecurityEvent =
  | "auth.signed_in"
  | "auth.pending_consent"
  | "auth.refused"
  | "auth.replay_refused"
  | "auth.malformed"
  | "auth.cross_origin_refused"
  | "auth.logged_out"
  | "consent.changed"
  | "user.erased"
  | "admin.refused"
  | "rate_limited"
  | "oidc.started"
  | "oidc.refused"
  | "phone.stored"
  | "phone.refused"
  | "webhook.refused"
  | "webhook.handled";

/** Every security event carries its time (pino's "time") and the request id that caused it. */
export function securityEvent(
  event: SecurityEvent,
  requestId: string,
  detail: Record<string, string | number | boolean> = {},
  logger = log(),
): void {
  logger.info({ ...detail, event, requestId }, event);
}
