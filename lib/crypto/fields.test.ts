import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyIdOf } from "../core/env";
import {
  blindIndex,
  decrypt,
  DecryptError,
  encrypt,
  newDataKey,
  unwrapDataKey,
  wrapDataKey,
  type MasterKey,
} from "./fields";

const IV = { start: 1, end: 13 };
const TAG = { start: 13, end: 29 };

function masterKey(): MasterKey {
  const key = randomBytes(32);
  return { id: keyIdOf(key), key };
}

describe("encrypt / decrypt", () => {
  it("round-trips any unicode string, including the empty one", () => {
    const key = newDataKey();
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), fc.string({ maxLength: 40 }), (plaintext, aad) => {
        expect(decrypt(key, encrypt(key, plaintext, aad), aad)).toBe(plaintext);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips lone surrogates and full-width code points as their UTF-8 form", () => {
    const key = newDataKey();
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 100 }), (plaintext) => {
        // A lone surrogate has no UTF-8 form; Buffer.from turns it into U+FFFD, as any UTF-8 store would.
        const expected = Buffer.from(plaintext, "utf8").toString("utf8");
        expect(decrypt(key, encrypt(key, plaintext, "aad"), "aad")).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("never carries the plaintext in the sealed bytes", () => {
    const key = newDataKey();
    const sealed = encrypt(key, "+44 7700 900123", "u1:phone_number");
    expect(sealed.includes(Buffer.from("7700 900123"))).toBe(false);
    expect(sealed.length).toBe(1 + 12 + 16 + Buffer.byteLength("+44 7700 900123"));
  });

  it("detects a flipped bit anywhere: version, IV, tag or ciphertext", () => {
    const key = newDataKey();
    const sealed = encrypt(key, "Ada Lovelace", "u1:first_name");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.length - 1 }), fc.integer({ min: 0, max: 7 }), (index, bit) => {
        const tampered = Buffer.from(sealed);
        tampered[index]! ^= 1 << bit;
        expect(() => decrypt(key, tampered, "u1:first_name")).toThrow(DecryptError);
      }),
      { numRuns: 400 },
    );
  });

  it("detects tampering in each region explicitly", () => {
    const key = newDataKey();
    const sealed = encrypt(key, "Ada Lovelace", "u1:first_name");
    for (const index of [IV.start, IV.end - 1, TAG.start, TAG.end - 1, TAG.end, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[index]! ^= 0xff;
      expect(() => decrypt(key, tampered, "u1:first_name"), `byte ${index}`).toThrow(DecryptError);
    }
  });

  it("refuses truncated, extended and empty inputs", () => {
    const key = newDataKey();
    const sealed = encrypt(key, "Ada", "aad");
    for (const bad of [
      Buffer.alloc(0),
      sealed.subarray(0, 29),
      sealed.subarray(0, sealed.length - 1),
      Buffer.concat([sealed, Buffer.from([0])]),
    ]) {
      expect(() => decrypt(key, bad, "aad")).toThrow(DecryptError);
    }
  });

  it("refuses other associated data: a value moved to another user or field does not decrypt", () => {
    const key = newDataKey();
    const sealed = encrypt(key, "Ada", "user-a:first_name");
    for (const aad of ["user-b:first_name", "user-a:last_name", "", "user-a:first_name "]) {
      expect(() => decrypt(key, sealed, aad)).toThrow(DecryptError);
    }
    expect(decrypt(key, sealed, "user-a:first_name")).toBe("Ada");
  });

  it("refuses the wrong key", () => {
    const sealed = encrypt(newDataKey(), "Ada", "aad");
    expect(() => decrypt(newDataKey(), sealed, "aad")).toThrow(DecryptError);
  });

  it("uses a fresh IV every time: 10,000 encryptions of one plaintext are all distinct", () => {
    const key = newDataKey();
    const ivs = new Set<string>();
    const sealed = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const s = encrypt(key, "same plaintext", "same aad");
      ivs.add(s.subarray(IV.start, IV.end).toString("hex"));
      sealed.add(s.toString("hex"));
    }
    expect(ivs.size).toBe(10_000);
    expect(sealed.size).toBe(10_000);
  });
});

describe("data keys wrapped under a ring of master keys", () => {
  it("wraps under the first key of the ring and unwraps to the same data key", () => {
    const current = masterKey();
    const dataKey = newDataKey();
    const { wrapped, keyId } = wrapDataKey([current], dataKey, "user-1");
    expect(keyId).toBe(current.id);
    expect(wrapped.includes(dataKey)).toBe(false);
    expect(unwrapDataKey([current], wrapped, keyId, "user-1").equals(dataKey)).toBe(true);
  });

  it("keeps keys wrapped under the old master readable while the new one is current", () => {
    const oldKey = masterKey();
    const newKey = masterKey();
    const dataKey = newDataKey();
    const before = wrapDataKey([oldKey], dataKey, "user-1");
    const ring = [newKey, oldKey];
    expect(unwrapDataKey(ring, before.wrapped, before.keyId, "user-1").equals(dataKey)).toBe(true);
    // Re-wrapping (what keys:rotate does) moves it to the new key; field ciphertext is untouched.
    const after = wrapDataKey(ring, dataKey, "user-1");
    expect(after.keyId).toBe(newKey.id);
    expect(unwrapDataKey([newKey], after.wrapped, after.keyId, "user-1").equals(dataKey)).toBe(true);
  });

  it("refuses an unknown key id, and a wrong key under a known id", () => {
    const oldKey = masterKey();
    const newKey = masterKey();
    const { wrapped, keyId } = wrapDataKey([oldKey], newDataKey(), "user-1");
    expect(() => unwrapDataKey([newKey], wrapped, keyId, "user-1")).toThrow(DecryptError);
    expect(() => unwrapDataKey([newKey], wrapped, keyId, "user-1")).toThrow(/not configured/);
    // The recorded id says "old", but the ring holds a different key under that id.
    expect(() => unwrapDataKey([{ id: keyId, key: newKey.key }], wrapped, keyId, "user-1")).toThrow(DecryptError);
  });

  it("binds a wrapped key to its user: copying it to another user's row does not unwrap", () => {
    const ring = [masterKey()];
    const { wrapped, keyId } = wrapDataKey(ring, newDataKey(), "user-1");
    expect(() => unwrapDataKey(ring, wrapped, keyId, "user-2")).toThrow(DecryptError);
  });

  it("a destroyed data key makes the user's ciphertext unreadable", () => {
    const ring = [masterKey()];
    const dataKey = newDataKey();
    const { wrapped, keyId } = wrapDataKey(ring, dataKey, "user-1");
    const field = encrypt(dataKey, "+44 7700 900123", "user-1:phone_number");
    // Overwritten with random bytes of the same length (what a scrub or an attacker might leave).
    const scrubbed = randomBytes(wrapped.length);
    expect(() => unwrapDataKey(ring, scrubbed, keyId, "user-1")).toThrow(DecryptError);
    // Without the data key, no other key opens the field: not the master key, not a fresh data key.
    for (const guess of [ring[0]!.key, newDataKey()]) {
      expect(() => decrypt(guess, field, "user-1:phone_number")).toThrow(DecryptError);
    }
  });

  it("refuses an empty ring", () => {
    expect(() => wrapDataKey([], newDataKey(), "user-1")).toThrow(/empty master key ring/);
  });
});

describe("key ids", () => {
  it("are derived from the key: stable, short, and distinct for distinct keys", () => {
    const key = randomBytes(32);
    expect(keyIdOf(key)).toBe(keyIdOf(Buffer.from(key)));
    expect(keyIdOf(key)).toMatch(/^[0-9a-f]{12}$/);
    expect(keyIdOf(key)).not.toBe(keyIdOf(randomBytes(32)));
    // The id is an HMAC under the key, not a prefix of it.
    expect(key.toString("hex").includes(keyIdOf(key))).toBe(false);
  });
});

describe("blind indexes", () => {
  it("are deterministic per key, and differ across keys and domains", () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (value) => {
        const a = blindIndex(k1, "phone_number", value);
        expect(blindIndex(k1, "phone_number", value)).toBe(a);
        expect(blindIndex(k2, "phone_number", value)).not.toBe(a);
        expect(blindIndex(k1, "telegram_id", value)).not.toBe(a);
      }),
      { numRuns: 300 },
    );
  });

  it("separates domain and value unambiguously", () => {
    const k = randomBytes(32);
    // Without a separator, ("ab", "c") and ("a", "bc") would hash the same input.
    expect(blindIndex(k, "ab", "c")).not.toBe(blindIndex(k, "a", "bc"));
    expect(blindIndex(k, "phone_number", "+15550000")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("are distinct for distinct values under one key and domain", () => {
    const k = randomBytes(32);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(blindIndex(k, "phone_number", a)).not.toBe(blindIndex(k, "phone_number", b));
      }),
    );
  });
});
