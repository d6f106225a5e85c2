// The one place that reads process.env. Parsed once with zod; a missing or malformed variable stops
// the app with a message that names it. In development and the demo, missing secrets are generated
// once and kept under data/ (mode 0600) so restarts keep sessions and ciphertext readable; in
// production they are required.
import { createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { DEMO_ADMIN_PERSONA, DEMO_PERSONAS } from "./demo-personas";
import { TELEGRAM_WEBAPP_PUBLIC_KEYS } from "./telegram/webapp";
import { DEFAULT_LOCALE, LOCALES, type Locale } from "./i18n/locales";

const base64Key = z
  .string()
  .trim()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, "base64").length === 32, {
    message: "must be base64 of exactly 32 random bytes (try: openssl rand -base64 32)",
  });

const flag = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .optional()
  .transform((v) => v === "1" || v === "true" || v === "yes");

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const telegramId = z.string().regex(/^[1-9][0-9]{0,15}$/, "must be a Telegram user id (digits)");

const RawEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DEMO_MODE: flag,
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, "must start with file: (SQLite) or postgresql:// (PostgreSQL)")
    .default("file:./data/app.db"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  APP_ORIGIN: z
    .url({ protocol: /^https?$/ })
    .transform((v) => new URL(v).origin)
    .optional(),
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^[0-9]{1,20}:[A-Za-z0-9_-]{20,}$/, "must look like 123456:ABC-DEF... as given by BotFather")
    .optional(),
  // Mini Apps (POST /api/auth/telegram/webapp): the bot's numeric id, for a deployment that checks
  // Telegram's Ed25519 signature of init data without holding the bot token. With a token it is
  // read from the token and, if also set, must agree with it.
  TELEGRAM_BOT_ID: z
    .string()
    .regex(/^[1-9][0-9]{0,19}$/, "must be the bot's numeric id (the digits before : in its token)")
    .optional(),
  // Which of Telegram's published Ed25519 keys signs init data: the production servers' or the test
  // environment's. One at a time: user ids of the two environments are separate namespaces.
  TELEGRAM_ENVIRONMENT: z.enum(["production", "test"]).default("production"),
  // Replaces Telegram's published key (64 hex characters): for test servers that sign their own
  // init data, or should Telegram publish a new key before this code knows it.
  TELEGRAM_WEBAPP_PUBLIC_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be an Ed25519 public key as 64 lowercase hex characters")
    .optional(),
  TELEGRAM_BOT_USERNAME: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "must be the bot's username without @")
    .optional(),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  // Older session secrets, comma-separated, still accepted for unsealing during a rotation.
  SESSION_SECRET_PREVIOUS: z
    .string()
    .optional()
    .refine(
      (v) => !v || v.split(",").every((s) => s.trim().length >= 32),
      "each previous secret must be at least 32 characters",
    ),
  FIELD_ENCRYPTION_KEY: base64Key.optional(),
  // Former master keys, comma-separated base64, kept readable until `npm run keys:rotate` finishes.
  FIELD_ENCRYPTION_KEY_PREVIOUS: z.string().optional(),
  BLIND_INDEX_KEY: base64Key.optional(),
  /** The blind-index key being retired while `npm run keys:rotate -- --blind-index` runs. */
  BLIND_INDEX_KEY_PREVIOUS: base64Key.optional(),
  ADMIN_TELEGRAM_IDS: z
    .string()
    .default("")
    .transform((v, ctx) => {
      const ids = v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      for (const id of ids) {
        if (!telegramId.safeParse(id).success) {
          ctx.addIssue({ code: "custom", message: "must be comma-separated Telegram user ids (digits)" });
          return z.NEVER;
        }
      }
      return ids.map((id) => BigInt(id));
    }),
  AUTH_MAX_AGE_SECONDS: positiveInt(300),
  AUTH_FUTURE_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
  SESSION_IDLE_MINUTES: positiveInt(30),
  SESSION_ABSOLUTE_HOURS: positiveInt(12),
  PURPOSES_FILE: z.string().optional(),
  PURGE_INTERVAL_MINUTES: z.coerce.number().int().min(0).default(60),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Only behind a proxy you run: the last X-Forwarded-For hop (the one it appended) is the client.
  TRUST_PROXY: flag,
  // Multiplies every rate limit (lib/rate-limit.ts); tests raise it so that suites sharing one
  // loopback address do not throttle each other. 1 in production.
  RATE_LIMIT_FACTOR: z.coerce.number().positive().max(100_000).default(1),
  DATA_DIR: z.string().default("data"),
  // Telegram OpenID Connect login. Optional: without a client id the second sign-in button is hidden.
  TELEGRAM_OIDC_ISSUER: z.url({ protocol: /^https?$/ }).default("https://oauth.telegram.org"),
  TELEGRAM_OIDC_CLIENT_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, "must be the client id BotFather shows (usually the bot id)")
    .optional(),
  TELEGRAM_OIDC_CLIENT_SECRET: z.string().trim().min(8, "must be the client secret BotFather shows").optional(),
  // Telegram signs ID tokens with RS256 unless the bot's settings chose another algorithm.
  TELEGRAM_OIDC_ID_TOKEN_ALG: z.enum(["RS256", "ES256", "EdDSA"]).default("RS256"),
  TELEGRAM_BOT_API_BASE: z.url({ protocol: /^https?$/ }).default("https://api.telegram.org"),
  // Telegram's own limits for secret_token: 1-256 characters A-Z a-z 0-9 _ -.
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, "must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
    .optional(),
  // Operator switch: refuse a phone number that is already linked to another account.
  PHONE_NUMBER_UNIQUE: flag,
  // Who is asking (GDPR Art. 13(1)(a)): the controller's name and how to reach them, shown wherever
  // consent is asked or its record is handed out. Required in production; placeholders elsewhere.
  CONTROLLER_NAME: z
    .string()
    .trim()
    .min(2, "must name the controller (a person or an organisation)")
    .max(200)
    .optional(),
  CONTROLLER_CONTACT: z
    .string()
    .trim()
    .refine(
      (v) => z.email().safeParse(v).success || z.url({ protocol: /^https?$/ }).safeParse(v).success,
      "must be an e-mail address or an http(s) URL",
    )
    .optional(),
  PRIVACY_POLICY_URL: z.url({ protocol: /^https?$/ }).optional(),
  // The languages offered (comma-separated, of LOCALES). English is the fallback for anyone whose
  // language is not offered, so it is always among them. Every purpose needs its text in each one.
  LANGUAGES: z
    .string()
    .default(LOCALES.join(","))
    .transform((v, ctx) => {
      const list = [
        ...new Set(
          v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      const unknown = list.filter((l) => !(LOCALES as readonly string[]).includes(l));
      if (unknown.length) {
        ctx.addIssue({
          code: "custom",
          message: `unknown language ${unknown.join(", ")} (offered: ${LOCALES.join(", ")})`,
        });
        return z.NEVER;
      }
      if (!list.includes(DEFAULT_LOCALE)) {
        ctx.addIssue({ code: "custom", message: `must include ${DEFAULT_LOCALE}, the fallback language` });
        return z.NEVER;
      }
      return LOCALES.filter((l) => list.includes(l)) as Locale[];
    }),
  // Benchmark harness only (`npm run bench`): serves /api/bench/bare and /bench/blank, the references
  // the figures are measured against. Off, they answer 404 like any unknown path.
  BENCH_ROUTES: flag,
});

export type Env = ReturnType<typeof buildEnv>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.join(".") || "(environment)"}: ${i.message}`).join("\n");
}

/** Secrets generated for development and the demo, kept under data/ so they survive restarts. */
function localSecrets(dataDir: string): { session: string; field: string; blind: string; bot: string } {
  const file = resolve(dataDir, "local-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const secrets = {
    session: randomBytes(32).toString("base64url"),
    field: randomBytes(32).toString("base64"),
    blind: randomBytes(32).toString("base64"),
    // A demo bot token of the real shape, so the real verifier runs against it.
    bot: `${1_000_000_000 + randomBytes(3).readUIntBE(0, 3)}:${randomBytes(27).toString("base64url")}`,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

/** A short key id derived from the key itself, so rotation needs no extra setting and leaks nothing. */
export function keyIdOf(key: Buffer): string {
  return createHmac("sha256", key).update("consent-login key id").digest("hex").slice(0, 12);
}

function isLoopbackOrigin(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

/** The operator's identity; in development and the demo, placeholders that say they are placeholders. */
function controllerOf(raw: { CONTROLLER_NAME?: string; CONTROLLER_CONTACT?: string; PRIVACY_POLICY_URL?: string }) {
  const contact = raw.CONTROLLER_CONTACT ?? null;
  return {
    name: raw.CONTROLLER_NAME ?? "Placeholder controller (the operator has not set CONTROLLER_NAME)",
    contact: contact ?? "not set (CONTROLLER_CONTACT)",
    contactHref: contact ? (contact.includes("@") && !/^https?:/.test(contact) ? `mailto:${contact}` : contact) : null,
    email: contact && !/^https?:/.test(contact) ? contact : null,
    privacyPolicyUrl: raw.PRIVACY_POLICY_URL ?? null,
    placeholder: !raw.CONTROLLER_NAME || !contact || !raw.PRIVACY_POLICY_URL,
  };
}

export function buildEnv(source: Record<string, string | undefined>) {
  const parsed = RawEnv.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${formatIssues(parsed.error)}`);
  }
  const raw = parsed.data;
  const production = raw.NODE_ENV === "production";
  const demo = raw.DEMO_MODE;
  const isPostgres = raw.DATABASE_URL.startsWith("postgres");
  const problems: string[] = [];

  // Demo mode signs its own login payloads: it must never run where real people sign in.
  if (demo && isPostgres) problems.push("  DEMO_MODE: the demo runs on SQLite only; unset DEMO_MODE or DATABASE_URL");
  if (demo && raw.APP_ORIGIN && !isLoopbackOrigin(raw.APP_ORIGIN)) {
    problems.push("  DEMO_MODE: the demo serves loopback only (APP_ORIGIN must be http://localhost:PORT)");
  }
  if (demo && raw.TELEGRAM_BOT_TOKEN) {
    problems.push("  DEMO_MODE: refusing to sign demo logins while a real TELEGRAM_BOT_TOKEN is set");
  }

  if (raw.TELEGRAM_BOT_ID && raw.TELEGRAM_BOT_TOKEN && raw.TELEGRAM_BOT_TOKEN.split(":")[0] !== raw.TELEGRAM_BOT_ID) {
    problems.push("  TELEGRAM_BOT_ID: does not match the id in TELEGRAM_BOT_TOKEN (the digits before :)");
  }
  if (raw.TELEGRAM_OIDC_CLIENT_ID && !raw.TELEGRAM_OIDC_CLIENT_SECRET) {
    problems.push("  TELEGRAM_OIDC_CLIENT_SECRET: required when TELEGRAM_OIDC_CLIENT_ID is set");
  }
  // Plain http only for a provider or Bot API on this machine (tests); tokens never cross a network in clear.
  for (const name of ["TELEGRAM_OIDC_ISSUER", "TELEGRAM_BOT_API_BASE"] as const) {
    const url = new URL(raw[name]);
    if (url.protocol === "http:" && !isLoopbackOrigin(url.origin))
      problems.push(`  ${name}: must use https (http is accepted for loopback only)`);
  }

  const needSecrets = production && !demo;
  if (needSecrets) {
    for (const name of [
      "APP_ORIGIN",
      "TELEGRAM_BOT_TOKEN",
      "TELEGRAM_BOT_USERNAME",
      "SESSION_SECRET",
      "FIELD_ENCRYPTION_KEY",
      "BLIND_INDEX_KEY",
      "CONTROLLER_NAME",
      "CONTROLLER_CONTACT",
      "PRIVACY_POLICY_URL",
    ] as const) {
      // A deployment that only runs the Mini App may check Telegram's signature with the bot id alone.
      if (name === "TELEGRAM_BOT_TOKEN" && raw.TELEGRAM_BOT_ID) continue;
      if (!raw[name]) problems.push(`  ${name}: required in production`);
    }
  }
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);

  const local = needSecrets ? null : localSecrets(raw.DATA_DIR);
  const fieldKey = Buffer.from(raw.FIELD_ENCRYPTION_KEY ?? local!.field, "base64");
  const previous = (raw.FIELD_ENCRYPTION_KEY_PREVIOUS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of previous) {
    if (!base64Key.safeParse(p).success) {
      throw new ConfigError(
        "Invalid configuration:\n  FIELD_ENCRYPTION_KEY_PREVIOUS: each entry must be base64 of 32 bytes",
      );
    }
  }
  const masterKeys = [fieldKey, ...previous.map((p) => Buffer.from(p, "base64"))].map((key) => ({
    id: keyIdOf(key),
    key,
  }));
  const blindIndexKey = Buffer.from(raw.BLIND_INDEX_KEY ?? local!.blind, "base64");
  if (blindIndexKey.equals(fieldKey)) {
    throw new ConfigError("Invalid configuration:\n  BLIND_INDEX_KEY: must differ from FIELD_ENCRYPTION_KEY");
  }
  const blindIndexKeyPrevious = raw.BLIND_INDEX_KEY_PREVIOUS
    ? Buffer.from(raw.BLIND_INDEX_KEY_PREVIOUS, "base64")
    : null;
  const botToken = demo ? local!.bot : (raw.TELEGRAM_BOT_TOKEN ?? null);

  return {
    production,
    demo,
    databaseUrl: raw.DATABASE_URL,
    databaseKind: isPostgres ? ("postgres" as const) : ("sqlite" as const),
    port: raw.PORT,
    appOrigin: raw.APP_ORIGIN ?? `http://localhost:${raw.PORT}`,
    botToken,
    botId: botToken ? botToken.split(":")[0]! : (raw.TELEGRAM_BOT_ID ?? null),
    webAppPublicKeyHex: raw.TELEGRAM_WEBAPP_PUBLIC_KEY ?? TELEGRAM_WEBAPP_PUBLIC_KEYS[raw.TELEGRAM_ENVIRONMENT],
    botUsername: demo ? "demo_login_bot" : (raw.TELEGRAM_BOT_USERNAME ?? null),
    sessionSecrets: [
      raw.SESSION_SECRET ?? local!.session,
      ...(raw.SESSION_SECRET_PREVIOUS ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ],
    masterKeys,
    blindIndexKey,
    blindIndexKeyId: keyIdOf(blindIndexKey),
    blindIndexKeyPrevious,
    // The demo's admin is its admin persona, and only in demo mode: ADMIN_TELEGRAM_IDS names real
    // Telegram accounts, which the demo's local bot cannot sign in; outside demo mode the persona's
    // id is an ordinary one.
    adminTelegramIds: demo ? [BigInt(DEMO_PERSONAS[DEMO_ADMIN_PERSONA].id)] : raw.ADMIN_TELEGRAM_IDS,
    authMaxAgeSeconds: raw.AUTH_MAX_AGE_SECONDS,
    authFutureSkewSeconds: raw.AUTH_FUTURE_SKEW_SECONDS,
    sessionIdleSeconds: raw.SESSION_IDLE_MINUTES * 60,
    sessionAbsoluteSeconds: raw.SESSION_ABSOLUTE_HOURS * 3600,
    purposesFile: raw.PURPOSES_FILE ?? null,
    purgeIntervalMinutes: raw.PURGE_INTERVAL_MINUTES,
    logLevel: raw.LOG_LEVEL,
    trustProxy: raw.TRUST_PROXY,
    rateLimitFactor: raw.RATE_LIMIT_FACTOR,
    dataDir: raw.DATA_DIR,
    oidc:
      raw.TELEGRAM_OIDC_CLIENT_ID && raw.TELEGRAM_OIDC_CLIENT_SECRET
        ? {
            // No trailing slash: the issuer is compared exactly with the ID token's iss.
            issuer: raw.TELEGRAM_OIDC_ISSUER.replace(/\/+$/, ""),
            clientId: raw.TELEGRAM_OIDC_CLIENT_ID,
            clientSecret: raw.TELEGRAM_OIDC_CLIENT_SECRET,
            idTokenAlg: raw.TELEGRAM_OIDC_ID_TOKEN_ALG,
            redirectUri: `${raw.APP_ORIGIN ?? `http://localhost:${raw.PORT}`}/api/auth/oidc/callback`,
          }
        : null,
    botApiBase: raw.TELEGRAM_BOT_API_BASE.replace(/\/+$/, ""),
    webhookSecret: raw.TELEGRAM_WEBHOOK_SECRET ?? null,
    phoneNumberUnique: raw.PHONE_NUMBER_UNIQUE,
    controller: controllerOf(raw),
    languages: raw.LANGUAGES as readonly Locale[],
    benchRoutes: raw.BENCH_ROUTES,
  };
}

let cached: Env | undefined;

/** The parsed configuration. Throws ConfigError (naming the variable) the first time it is bad. */
export function env(): Env {
  cached ??= buildEnv(process.env);
  return cached;
}
