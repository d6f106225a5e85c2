import fc from "fast-check";
import { sealData, unsealData } from "iron-session";
import { describe, expect, it } from "vitest";
import { sealIron, unsealIron } from "./iron-seal";

const SECRET = "a-session-secret-of-at-least-32-characters";
const OTHER = "another-session-secret-of-32-characters-at-least";

describe("sealIron", () => {
  it("is opened by iron-session's unsealData, for any session-shaped data", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          sid: fc.string(),
          uid: fc.uuid(),
          sv: fc.nat(),
          iat: fc.nat(),
          lat: fc.nat(),
          note: fc.string({ unit: "grapheme" }),
        }),
        async (data) => {
          const sealed = sealIron(data, { id: "2", secret: SECRET }, 600);
          expect(await unsealData(sealed, { password: { 1: OTHER, 2: SECRET } })).toEqual(data);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("has exactly the shape iron-session's sealData produces", async () => {
    const data = { sid: "s", uid: "u", sv: 1, iat: 1, lat: 1 };
    const ours = sealIron(data, { id: "1", secret: SECRET }, 600).split("*");
    const theirs = (await sealData(data, { password: { 1: SECRET }, ttl: 600 })).split("*");
    expect(ours.map((part) => part.length)).toEqual(theirs.map((part) => part.length));
    expect(ours.slice(0, 2)).toEqual(theirs.slice(0, 2));
    // The expiry: the same ttl in milliseconds after "now".
    expect(Math.abs(Number(ours[5]) - Number(theirs[5]))).toBeLessThan(5_000);
    expect(ours.join("*")).toMatch(/^Fe26\.2\*[\w*-]+~2$/);
  });

  it("is refused by unsealData under another password, after its ttl, and when altered", async () => {
    const sealed = sealIron({ a: 1 }, { id: "1", secret: SECRET }, 600);
    await expect(unsealData(sealed, { password: { 1: OTHER } })).resolves.toEqual({});
    const expired = sealIron({ a: 1 }, { id: "1", secret: SECRET }, 600, Date.now() - 3_600_000);
    await expect(unsealData(expired, { password: { 1: SECRET } })).resolves.toEqual({});
    // One character changed in each of the ciphertext, the salts, the iv, the expiry and the mac.
    // The replacement is chosen to differ from the original: a fixed "AA" was a no-op whenever the
    // random ciphertext already ended in it, 1 seal in 4,096 (it failed CI once).
    for (const index of [2, 3, 4, 5, 6, 7]) {
      const parts = sealed.split("*");
      const part = parts[index]!;
      const swap = (c: string) => (c === "A" ? "B" : c === "1" ? "2" : "A");
      parts[index] = swap(part[0]!) + part.slice(1);
      expect(parts[index]).not.toBe(part);
      await expect(unsealData(parts.join("*"), { password: { 1: SECRET } }), `part ${index}`).resolves.toEqual({});
    }
  });

  it("never repeats a salt or an iv", () => {
    const a = sealIron({ a: 1 }, { id: "1", secret: SECRET }, 600).split("*");
    const b = sealIron({ a: 1 }, { id: "1", secret: SECRET }, 600).split("*");
    for (const i of [2, 3, 4, 6, 7]) expect(a[i]).not.toEqual(b[i]);
  });
});

/**
 * What iron-session's unsealData makes of a seal without its "~2" suffix: the data, or null for its
 * empty answer or a throw (the session cookie's reader treats both as no cookie).
 */
async function libraryUnseal(sealed: string, password: Record<string, string>): Promise<unknown> {
  try {
    const data = await unsealData(`${sealed}~2`, { password });
    return typeof data === "object" && data !== null && Object.keys(data).length === 0 ? null : data;
  } catch {
    return null;
  }
}

/** unsealIron's answer in the same terms. */
function ourUnseal(sealed: string, password: Record<string, string>): unknown {
  try {
    return unsealIron(sealed, password);
  } catch {
    return null;
  }
}

describe("unsealIron", () => {
  const strip = (sealed: string) => sealed.replace(/~2$/, "");

  it("opens what iron-session's sealData writes, under any of the passwords", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ sid: fc.string(), uid: fc.uuid(), sv: fc.nat(), note: fc.string({ unit: "grapheme" }) }),
        fc.constantFrom("1", "2"),
        async (data, id) => {
          const password = { 1: OTHER, 2: SECRET };
          const sealed = await sealData(data, { password: { [id]: password[id as "1" | "2"] }, ttl: 600 });
          expect(unsealIron(strip(sealed), password)).toEqual(data);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("opens its own seals", () => {
    const data = { sid: "s", uid: "u", sv: 3, iat: 1, lat: 2 };
    expect(unsealIron(strip(sealIron(data, { id: "1", secret: SECRET }, 600)), { 1: SECRET })).toEqual(data);
  });

  it("refuses another password, an unknown or inherited id, an expired seal and any altered part, as the library does", async () => {
    const sealed = strip(sealIron({ a: 1 }, { id: "1", secret: SECRET }, 600));
    expect(unsealIron(sealed, { 1: OTHER })).toBeNull();
    expect(unsealIron(sealed, { 2: SECRET })).toBeNull();
    const inherited = sealed.replace(/^Fe26\.2\*1\*/, "Fe26.2*constructor*");
    expect(unsealIron(inherited, { 1: SECRET })).toBeNull();
    // Within iron's minute of allowed clock skew the seal still opens; past it, not.
    const justExpired = strip(sealIron({ a: 1 }, { id: "1", secret: SECRET }, 600, Date.now() - 630_000));
    expect(unsealIron(justExpired, { 1: SECRET })).toEqual({ a: 1 });
    const expired = strip(sealIron({ a: 1 }, { id: "1", secret: SECRET }, 600, Date.now() - 700_000));
    expect(unsealIron(expired, { 1: SECRET })).toBeNull();
    expect(await libraryUnseal(expired, { 1: SECRET })).toBeNull();
    for (const index of [0, 1, 2, 3, 4, 5, 6, 7]) {
      const parts = sealed.split("*");
      const part = parts[index]!;
      const swap = (c: string) => (c === "A" ? "B" : c === "1" ? "2" : "A");
      parts[index] = swap(part[0]!) + part.slice(1);
      expect(parts[index]).not.toBe(part);
      expect(unsealIron(parts.join("*"), { 1: SECRET }), `part ${index}`).toBeNull();
    }
  });

  it("opens or refuses as iron-session's unsealData does when any part is cut, doubled or replaced", async () => {
    const password = { 1: SECRET };
    const sealed = strip(sealIron({ sid: "s", uid: "u", sv: 1, iat: 1, lat: 1 }, { id: "1", secret: SECRET }, 600));
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 7 }),
        fc.oneof(fc.constant(""), fc.stringMatching(/^[\w-]{0,60}$/), fc.constantFrom("cut", "double", "padded")),
        async (index, change) => {
          const parts = sealed.split("*");
          const part = parts[index]!;
          parts[index] =
            change === "cut"
              ? part.slice(0, -1)
              : change === "double"
                ? part + part
                : change === "padded"
                  ? `${part}=`
                  : change;
          const altered = parts.join("*");
          expect(ourUnseal(altered, password)).toEqual(await libraryUnseal(altered, password));
        },
      ),
      { numRuns: 200 },
    );
  });
});
