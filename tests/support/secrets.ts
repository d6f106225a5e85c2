// Secrets for test servers: random per run, never from the repo.
import { generateKeyPairSync, randomBytes } from "node:crypto";

export const TEST_BOT_TOKEN = `${700000000 + randomBytes(2).readUInt16BE(0)}:${randomBytes(27).toString("base64url")}`;
export const TEST_BOT_USERNAME = "consent_test_bot";

/**
 * Stands in for Telegram's Ed25519 key pair that signs Mini App init data: test servers are given
 * its public half as TELEGRAM_WEBAPP_PUBLIC_KEY, and tests sign with the private half.
 */
export const TEST_WEBAPP_KEYS = generateKeyPairSync("ed25519");
export const TEST_WEBAPP_PUBLIC_KEY_HEX = TEST_WEBAPP_KEYS.publicKey
  .export({ format: "der", type: "spki" })
  .subarray(12)
  .toString("hex");

export function testSecrets() {
  return {
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    TELEGRAM_BOT_USERNAME: TEST_BOT_USERNAME,
    TELEGRAM_WEBAPP_PUBLIC_KEY: TEST_WEBAPP_PUBLIC_KEY_HEX,
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    FIELD_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    BLIND_INDEX_KEY: randomBytes(32).toString("base64"),
  };
}
