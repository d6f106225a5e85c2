import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { INVALID_PHONE_MESSAGE, normalizePhone } from "./phone";

describe("normalizePhone", () => {
  it("reads Telegram's digits-only numbers as international and returns E.164", () => {
    expect(normalizePhone("4915123456789")).toEqual({ ok: true, e164: "+4915123456789" });
    expect(normalizePhone("+34 612 345 678")).toEqual({ ok: true, e164: "+34612345678" });
    expect(normalizePhone("79161234567")).toEqual({ ok: true, e164: "+79161234567" });
  });

  it("refuses what is not a valid number, with the same clear message", () => {
    for (const bad of [
      "",
      "+",
      "15555550100",
      "12",
      "abc",
      "++4915123456789",
      "4915123456789;drop",
      null,
      4915123456789,
    ]) {
      expect(normalizePhone(bad)).toEqual({ ok: false, message: INVALID_PHONE_MESSAGE });
    }
  });

  it("refuses a number the metadata accepts but E.164 cannot hold (more than 15 digits)", () => {
    // A counterexample fast-check found in CI: valid by Germany's plan, 16 digits.
    expect(normalizePhone("4921000000000000").ok).toBe(false);
    expect(normalizePhone("+4921000000000000").ok).toBe(false);
  });

  it("never throws, and what it accepts is E.164 and stable", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\+?[0-9]{6,17}$/)), (s) => {
        const r = normalizePhone(s);
        if (r.ok) {
          expect(r.e164).toMatch(/^\+[1-9][0-9]{5,14}$/);
          expect(normalizePhone(r.e164)).toEqual(r);
          expect(normalizePhone(r.e164.slice(1))).toEqual(r);
        }
      }),
    );
  });
});
