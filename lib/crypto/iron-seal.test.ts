import fc from "fast-check";
import { sealData, unsealData } from "iron-session";
import { describe, expect, it } from "vitest";
import { sealIron } from "./iron-seal";

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
