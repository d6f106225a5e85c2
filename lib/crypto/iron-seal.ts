// Iron sealing (the "Fe26.2" format iron-session 8 writes) with node:crypto, synchronously.
//
// iron-session seals through WebCrypto: two PBKDF2 derivations, two key imports, an encryption and
// an HMAC, each an async job. In the sign-in profile that was about a millisecond of main-thread
// time per cookie (docs/decisions/009-sign-in-cost.md); the same steps with node:crypto take tens of
// microseconds. The output is byte-for-byte the format iron-webcrypto produces with iron-session's
// defaults (AES-256-CBC, HMAC-SHA256, 256-bit salts, one PBKDF2-SHA1 iteration per salt, the "~2"
// cookie version), so iron-session's unsealData, which still opens every cookie, cannot tell them
// apart; lib/crypto/iron-seal.test.ts checks that against the library.
//
// Pure module: no environment. Callers pass the password id and secret.
import { createCipheriv, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

const MAC_PREFIX = "Fe26.2";
/** iron-session's cookie format version, appended after "~". */
const IRON_SESSION_VERSION = 2;

/** iron-webcrypto's generateKey: a fresh salt (hex of 32 random bytes) and PBKDF2-SHA1 with one iteration. */
function saltedKey(secret: string): { salt: string; key: Buffer } {
  const salt = randomBytes(32).toString("hex");
  return { salt, key: pbkdf2Sync(secret, salt, 1, 32, "sha1") };
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
  if (password.secret.length < 32) throw new Error("Password string too short (min 32 characters required)");
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
