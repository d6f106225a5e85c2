// Field encryption: AES-256-GCM with envelope keys, and keyed HMAC blind indexes.
//
// Each user has a random 32-byte data key. Personal fields are encrypted under it; the data key is
// stored only wrapped (encrypted) by a master key, with the master key's id beside it so master
// keys can rotate. Destroying the wrapped data key makes every copy of that user's ciphertext
// unreadable, including copies in backups and write-ahead logs the app cannot scrub.
//
// Pure module: no environment, no database. Callers pass the keys in.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type MasterKey = { id: string; key: Buffer };

export class DecryptError extends Error {
  override name = "DecryptError";
}

/**
 * Layout: [version:1][iv:12][tag:16][ciphertext]. The associated data binds a ciphertext to its
 * owner and field, so a value copied into another user's row or field fails to decrypt.
 */
export function encrypt(key: Buffer, plaintext: string | Buffer, associatedData: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([
    cipher.update(typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext),
    cipher.final(),
  ]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export function decryptBytes(key: Buffer, sealed: Uint8Array, associatedData: string): Buffer {
  const buf = Buffer.from(sealed);
  if (buf.length < 1 + IV_BYTES + TAG_BYTES || buf[0] !== VERSION) throw new DecryptError("unknown ciphertext format");
  const decipher = createDecipheriv("aes-256-gcm", key, buf.subarray(1, 1 + IV_BYTES));
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptError("ciphertext failed authentication");
  }
}

export function decrypt(key: Buffer, sealed: Uint8Array, associatedData: string): string {
  return decryptBytes(key, sealed, associatedData).toString("utf8");
}

/** Prisma's Bytes type wants a plain ArrayBuffer-backed view; Node's Buffers may share a pool. */
export function toBytes(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(b);
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}

/** Wraps a user's data key under the current master key (the first in the ring). */
export function wrapDataKey(
  ring: readonly MasterKey[],
  dataKey: Buffer,
  userId: string,
): { wrapped: Buffer; keyId: string } {
  const current = ring[0];
  if (!current) throw new Error("empty master key ring");
  return { wrapped: encrypt(current.key, dataKey, `data-key:${userId}`), keyId: current.id };
}

/** Unwraps with whichever master key in the ring has the recorded id (old keys stay readable during rotation). */
export function unwrapDataKey(ring: readonly MasterKey[], wrapped: Uint8Array, keyId: string, userId: string): Buffer {
  const master = ring.find((k) => k.id === keyId);
  if (!master) throw new DecryptError(`master key ${keyId} is not configured`);
  return decryptBytes(master.key, wrapped, `data-key:${userId}`);
}

/**
 * Keyed blind index for exact-match lookup. A plain or salted hash of a phone number or a
 * Telegram id is reversible by enumeration (the space is small); an HMAC under a secret key is not.
 * The domain separates kinds so equal strings in different fields do not collide.
 */
export function blindIndex(key: Buffer, domain: string, value: string): string {
  return createHmac("sha256", key).update(`${domain}\u0000${value}`).digest("base64url");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
