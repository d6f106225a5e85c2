import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildEnv, ConfigError } from "./env";

const key = (b: number) => Buffer.alloc(32, b).toString("base64");
const dataDir = () => mkdtempSync(join(tmpdir(), "env-test-"));
const production = {
  NODE_ENV: "production",
  APP_ORIGIN: "https://login.example.com",
  TELEGRAM_BOT_TOKEN: "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345",
  TELEGRAM_BOT_USERNAME: "example_bot",
  SESSION_SECRET: "s".repeat(40),
  FIELD_ENCRYPTION_KEY: key(1),
  BLIND_INDEX_KEY: key(2),
  CONTROLLER_NAME: "Example Login Ltd",
  CONTROLLER_CONTACT: "privacy@example.com",
  PRIVACY_POLICY_URL: "https://example.com/privacy",
};

function messageOf(source: Record<string, string | undefined>): string {
  try {
    buildEnv({ DATA_DIR: dataDir(), ...source });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("accepts a complete production configuration and keeps ids exact", () => {
    const env = buildEnv({ ...production, ADMIN_TELEGRAM_IDS: "4503599627370495, 42" });
    expect(env.adminTelegramIds).toEqual([4503599627370495n, 42n]);
    expect(env.masterKeys).toHaveLength(1);
    expect(env.botId).toBe("123456");
  });

  it("Mini App keys: the bot id from the token or TELEGRAM_BOT_ID, Telegram's key per environment", () => {
    const env = buildEnv(production);
    expect(env.webAppPublicKeyHex).toBe("e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d");
    expect(buildEnv({ ...production, TELEGRAM_ENVIRONMENT: "test" }).webAppPublicKeyHex).toBe(
      "40055058a4ee38156a06562e52eece92a771bcd8346a8c4615cb7376eddf72ec",
    );
    expect(buildEnv({ ...production, TELEGRAM_WEBAPP_PUBLIC_KEY: "ab".repeat(32) }).webAppPublicKeyHex).toBe(
      "ab".repeat(32),
    );
    // Only the bot id: enough in production for a deployment that runs the Mini App alone.
    const idOnly = buildEnv({ ...production, TELEGRAM_BOT_TOKEN: undefined, TELEGRAM_BOT_ID: "7342037359" });
    expect(idOnly.botToken).toBeNull();
    expect(idOnly.botId).toBe("7342037359");
    expect(messageOf({ ...production, TELEGRAM_BOT_ID: "654321" })).toContain("TELEGRAM_BOT_ID: does not match");
    expect(messageOf({ ...production, TELEGRAM_ENVIRONMENT: "staging" })).toContain("TELEGRAM_ENVIRONMENT");
    expect(messageOf({ ...production, TELEGRAM_WEBAPP_PUBLIC_KEY: "xyz" })).toContain("TELEGRAM_WEBAPP_PUBLIC_KEY");
  });

  it("names every missing production secret", () => {
    const { SESSION_SECRET: _s, BLIND_INDEX_KEY: _b, ...rest } = production;
    const msg = messageOf(rest);
    expect(msg).toContain("SESSION_SECRET: required in production");
    expect(msg).toContain("BLIND_INDEX_KEY: required in production");
  });

  it.each([
    ["FIELD_ENCRYPTION_KEY", "not-base64!!"],
    ["FIELD_ENCRYPTION_KEY", Buffer.alloc(16).toString("base64")],
    ["SESSION_SECRET", "short"],
    ["DATABASE_URL", "mysql://x"],
    ["ADMIN_TELEGRAM_IDS", "12,abc"],
    ["TELEGRAM_BOT_TOKEN", "nope"],
    ["PORT", "70000"],
  ])("names a malformed %s without echoing a secret", (name, value) => {
    const msg = messageOf({ ...production, [name]: value });
    expect(msg).toContain(name);
    if (name !== "PORT" && name !== "ADMIN_TELEGRAM_IDS" && name !== "DATABASE_URL") expect(msg).not.toContain(value);
  });

  it("requires the controller's identity in production and validates it", () => {
    const { CONTROLLER_NAME: _n, CONTROLLER_CONTACT: _c, PRIVACY_POLICY_URL: _p, ...rest } = production;
    const msg = messageOf(rest);
    for (const name of ["CONTROLLER_NAME", "CONTROLLER_CONTACT", "PRIVACY_POLICY_URL"])
      expect(msg).toContain(`${name}: required in production`);
    expect(messageOf({ ...production, CONTROLLER_CONTACT: "call us" })).toMatch(
      /CONTROLLER_CONTACT: must be an e-mail address or an http\(s\) URL/,
    );
    expect(messageOf({ ...production, PRIVACY_POLICY_URL: "javascript:alert(1)" })).toContain("PRIVACY_POLICY_URL");
    const url = buildEnv({
      DATA_DIR: dataDir(),
      ...production,
      CONTROLLER_CONTACT: "https://example.com/contact",
    }).controller;
    expect(url).toMatchObject({ contactHref: "https://example.com/contact", email: null, placeholder: false });
    expect(buildEnv({ DATA_DIR: dataDir(), ...production }).controller).toMatchObject({
      name: "Example Login Ltd",
      contactHref: "mailto:privacy@example.com",
      email: "privacy@example.com",
    });
  });

  it("says plainly that the controller is a placeholder outside production", () => {
    const dev = buildEnv({ DATA_DIR: dataDir() }).controller;
    expect(dev.placeholder).toBe(true);
    expect(dev.name).toMatch(/Placeholder.*CONTROLLER_NAME/);
  });

  it("refuses equal encryption and blind-index keys", () => {
    expect(messageOf({ ...production, BLIND_INDEX_KEY: key(1) })).toContain("BLIND_INDEX_KEY");
  });

  it("refuses demo mode on PostgreSQL, off loopback, or beside a real bot token", () => {
    expect(
      messageOf({ NODE_ENV: "production", DEMO_MODE: "1", DATABASE_URL: "postgresql://x@127.0.0.1/db" }),
    ).toContain("DEMO_MODE");
    expect(messageOf({ NODE_ENV: "production", DEMO_MODE: "1", APP_ORIGIN: "https://login.example.com" })).toContain(
      "DEMO_MODE",
    );
    expect(
      messageOf({ NODE_ENV: "production", DEMO_MODE: "1", TELEGRAM_BOT_TOKEN: production.TELEGRAM_BOT_TOKEN }),
    ).toContain("DEMO_MODE");
  });

  it("generates development secrets once, privately, and reuses them", () => {
    const dir = dataDir();
    const a = buildEnv({ DATA_DIR: dir });
    const b = buildEnv({ DATA_DIR: dir });
    expect(a.blindIndexKey.equals(b.blindIndexKey)).toBe(true);
    expect(a.sessionSecrets[0]).toBe(b.sessionSecrets[0]);
    expect(statSync(join(dir, "local-secrets.json")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "local-secrets.json"), "utf8")).field).toBeTruthy();
  });

  it("phone settings are optional, default to Telegram's hosts, and are checked when given", () => {
    const e = buildEnv({ DATA_DIR: dataDir(), ...production });
    expect(e.oidc).toBeNull();
    expect(e.botApiBase).toBe("https://api.telegram.org");
    expect(e.webhookSecret).toBeNull();
    expect(e.phoneNumberUnique).toBe(false);
    const oidc = buildEnv({
      DATA_DIR: dataDir(),
      ...production,
      TELEGRAM_OIDC_CLIENT_ID: "123456",
      TELEGRAM_OIDC_CLIENT_SECRET: "s3cret-s3cret",
      PHONE_NUMBER_UNIQUE: "1",
    }).oidc;
    expect(oidc).toMatchObject({
      issuer: "https://oauth.telegram.org",
      clientId: "123456",
      idTokenAlg: "RS256",
      redirectUri: "https://login.example.com/api/auth/oidc/callback",
    });
    expect(messageOf({ ...production, TELEGRAM_OIDC_CLIENT_ID: "123456" })).toMatch(
      /TELEGRAM_OIDC_CLIENT_SECRET: required/,
    );
    expect(messageOf({ ...production, TELEGRAM_OIDC_ISSUER: "http://oauth.example.com" })).toMatch(
      /TELEGRAM_OIDC_ISSUER: must use https/,
    );
    expect(messageOf({ ...production, TELEGRAM_BOT_API_BASE: "http://10.0.0.1" })).toMatch(
      /TELEGRAM_BOT_API_BASE: must use https/,
    );
    expect(messageOf({ ...production, TELEGRAM_WEBHOOK_SECRET: "short" })).toMatch(/TELEGRAM_WEBHOOK_SECRET/);
    expect(
      buildEnv({ DATA_DIR: dataDir(), ...production, TELEGRAM_OIDC_ISSUER: "http://127.0.0.1:4444/" }).botApiBase,
    ).toBe("https://api.telegram.org");
  });
});
