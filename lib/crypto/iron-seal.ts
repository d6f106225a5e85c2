// Iron sealing and unsealing (the "Fe26.2" format iron-session 8 writes) with node:crypto, synchronously.
//
// iron-session seals through WebCrypto: two PBKDF2 derivations, two key imports, an encryption and
// an HMAC, each an async job. In the sign-in profile that was about a millisecond of main-thread
// time per cookie (docs/decisions/009-sign-in-cost.md); the same steps with node:crypto take tens of
// microseconds. The output is byte-for-byte the format iron-webcrypto produces with iron-session's
// defaults (AES-256-CBC, HMAC-SHA256, 256-bit salts, one PBKDF2-SHA1 iteration per salt, the "~2"
// cookie version), so iron-session's unsealData, which still opens every cookie, cannot tell them
// apart; lib/crypto/iron-seal.test.ts checks that against the library.
//
// Unsealing had the same cost on every signed-in page, twice (proxy.ts, then the page's session
// check): about 5% of the settings page's server CPU in its profile (issue 26). unsealIron opens
// what iron-session's unsealData opens and refuses what it refuses, which the tests also check
// against the library.
//
// Pure module: no environment. Callers pass the password id and secret.
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

const MAC_PREFIX = "Fe26.2";
/** iron-session's cookie format version, appended after "~". */
const IRON_SESSION_VERSION = 2;

/** iron-webcrypto's allowance for clocks that differ, on the expiry. */
const TIMESTAMP_SKEW_MS = 60_000;
const MIN_SECRET_LENGTH = 32;

/** iron-webcrypto's generateKey: PBKDF2-SHA1 with one iteration over the salt as given. */
function keyFor(secret: string, salt: string): Buffer {
  return pbkdf2Sync(secret, salt, 1, 32, "sha1");
}

/** A fresh salt (hex of 32 random bytes) and its key. */
function saltedKey(secret: string): { salt: string; key: Buffer } {
  const salt = randomBytes(32).toString("hex");
  return { salt, key: keyFor(secret, salt) };
}

/**
 * Seals `data` as iron-session's sealData would with `{ password: { [id]: secret }, ttl }` (id = the
 * highest password id). Expires `ttlSeconds` from `nowMs`.
 */
export function sealIron(
  data: unknown,
  password: { id: string; secret: string },
  ttlSeconds: number,
  nowMs = Date.now(),
): string {
  if (password.secret.length < MIN_SECRET_LENGTH)
    throw new Error("Password string too short (min 32 characters required)");
  if (!/^\w+$/.test(password.id)) throw new Error("Invalid password id");
  const encryption = saltedKey(password.secret);
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", encryption.key, iv);
  const encrypted = Buffer.concat([cipher.update(JSON.stringify(data), "utf8"), cipher.final()]);
  // iron-session: ttl 0 means "no expiry"; our callers always pass a positive ttl.
  const expiration = ttlSeconds ? nowMs + ttlSeconds * 1000 : "";
  const macBase = `${MAC_PREFIX}*${password.id}*${encryption.salt}*${iv.toString("base64url")}*${encrypted.toString("base64url")}*${expiration}`;
  const integrity = saltedKey(password.secret);
  const digest = createHmac("sha256", integrity.key).update(macBase, "utf8").digest("base64url");
  return `${macBase}*${integrity.salt}*${digest}~${IRON_SESSION_VERSION}`;
}

/**
 * Opens a seal as iron-session's unsealData would with `{ password: passwords }` (the "~2" version
 * suffix already checked and removed by the caller): the data, or null for anything iron-session
 * answers with no data (wrong shape, unknown password id, expired, bad mac). A mac that checks but a
 * ciphertext that does not decrypt throws, as it does in the library.
 */
export function unsealIron(sealed: string, passwords: Readonly<Record<string, string>>, nowMs = Date.now()): unknown {
  const parts = sealed.split("*");
  if (parts.length !== 8) return null;
  const [
    prefix = "",
    id = "",
    encryptionSalt = "",
    iv = "",
    encrypted = "",
    expiration = "",
    integritySalt = "",
    mac = "",
  ] = parts;
  if (prefix !== MAC_PREFIX) return null;
  if (expiration) {
    if (!/^\d+$/.test(expiration) || Number.parseInt(expiration, 10) <= nowMs - TIMESTAMP_SKEW_MS) return null;
  }
  // Own properties only: an id such as "constructor" names no password.
  const secret = Object.hasOwn(passwords, id || "default") ? passwords[id || "default"] : undefined;
  if (secret === undefined) return null;
  if (secret.length < MIN_SECRET_LENGTH) throw new Error("Password string too short (min 32 characters required)");
  const macBase = `${prefix}*${id}*${encryptionSalt}*${iv}*${encrypted}*${expiration}`;
  const expected = createHmac("sha256", keyFor(secret, integritySalt)).update(macBase, "utf8").digest();
  const given = Buffer.from(mac, "base64url");
  // The library compares the base64url texts; comparing the bytes is the same test unless the text
  // is not canonical base64url, which the library refuses too (re-encoded, it would differ).
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString("base64url") !== mac)
    return null;
  const decipher = createDecipheriv("aes-256-cbc", keyFor(secret, encryptionSalt), Buffer.from(iv, "base64url"));
  const text = Buffer.concat([decipher.update(Buffer.from(encrypted, "base64url")), decipher.final()]).toString("utf8");
  return text ? (JSON.parse(text) as unknown) : null;
}
