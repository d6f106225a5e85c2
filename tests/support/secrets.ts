// Secrets for test servers: random per run, never from the repo.
import { randomBytes } from "node:crypto";

export const TEST_BOT_TOKEN = `${700000000 + randomBytes(2).readUInt16BE(0)}:${randomBytes(27).toString("base64url")}`;
export const TEST_BOT_USERNAME = "consent_test_bot";

export function testSecrets() {
  return {
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    TELEGRAM_BOT_USERNAME: TEST_BOT_USERNAME,
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    FIELD_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    BLIND_INDEX_KEY: randomBytes(32).toString("base64"),
  };
}
