import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accountReference, userIdPrefixOf } from "./account-reference";

describe("account reference", () => {
  it("is the id's first 12 hex digits in three groups, and reads back to the id's prefix", () => {
    const id = "7f3a9c21-04be-4d2e-9a11-0123456789ab";
    expect(accountReference(id)).toBe("7F3A-9C21-04BE");
    expect(userIdPrefixOf("7F3A-9C21-04BE")).toBe("7f3a9c21-04be");
    expect(userIdPrefixOf(" 7f3a 9c21 04be ")).toBe("7f3a9c21-04be");
    expect(id.startsWith(userIdPrefixOf(accountReference(id))!)).toBe(true);
  });

  it("round-trips for any random id, and refuses anything that is not 12 hex digits", () => {
    fc.assert(
      fc.property(fc.constant(null), () => {
        const id = randomUUID();
        return id.startsWith(userIdPrefixOf(accountReference(id))!);
      }),
      { numRuns: 200 },
    );
    for (const bad of ["", "7F3A-9C21-04B", "7F3A-9C21-04BEE", "7F3A-9C21-04BG", "%", 42, null, "x".repeat(100)])
      expect(userIdPrefixOf(bad)).toBeNull();
  });
});
