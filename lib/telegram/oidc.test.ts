import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { identityFromClaims, pkceChallenge, sameState } from "./oidc";
import { parseWidgetPayload } from "./widget";

describe("identityFromClaims", () => {
  it("takes the Telegram id from `id` and keeps a sub above 2^53 as the exact string", () => {
    const sub = "90071992547409931234";
    const identity = identityFromClaims({
      sub,
      id: 123456789,
      name: "Olga",
      preferred_username: "olga",
      picture: "https://t.me/i/userpic/320/x.jpg",
      phone_number: "4915123456789",
    });
    expect(identity).toEqual({
      sub,
      profile: {
        telegramId: 123456789n,
        first_name: "Olga",
        last_name: undefined,
        username: "olga",
        photo_url: "https://t.me/i/userpic/320/x.jpg",
      },
      phoneNumber: "4915123456789",
    });
  });

  it("refuses a missing, unsafe or malformed id", () => {
    for (const id of [undefined, 0, -5, 2 ** 53 + 2, 1.5, "12a", "0123", ""])
      expect(identityFromClaims({ sub: "1", id })).toBeNull();
    expect(identityFromClaims({ id: 5 })).toBeNull();
  });
});

// One rulebook for both sign-in paths (issue 13, item 7): a profile value the Login Widget's parser
// refuses is refused in an ID token too, and one it accepts is kept unchanged.
describe("OpenID Connect claims follow the widget's field rules", () => {
  const claim = {
    given_name: "first_name",
    family_name: "last_name",
    preferred_username: "username",
    picture: "photo_url",
  } as const;
  const widgetAccepts = (field: string, value: string) =>
    parseWidgetPayload({ id: "42", auth_date: "1700000000", hash: "0".repeat(64), [field]: value }).ok;
  const oidcAccepts = (name: keyof typeof claim, value: string) => {
    // given_name alone is the first name; family_name is read only beside a given_name.
    const identity = identityFromClaims({
      sub: "s",
      id: 42,
      ...(name === "family_name" ? { given_name: "Olga" } : {}),
      [name]: value,
    });
    if (!identity) return false;
    expect(identity.profile[claim[name]]).toBe(value);
    return true;
  };

  it("refuses what the widget refuses: a control character, an http picture, a 300-character name", () => {
    for (const [name, value] of [
      ["given_name", "Ol\u0007ga"],
      ["family_name", "Line\nbreak"],
      ["given_name", "x".repeat(300)],
      ["picture", "http://t.me/i/userpic/320/x.jpg"],
      ["picture", "javascript:alert(1)"],
      ["preferred_username", "olga smith"],
    ] as const) {
      expect(widgetAccepts(claim[name], value), `${name} by the widget`).toBe(false);
      expect(oidcAccepts(name, value), `${name} by OpenID Connect`).toBe(false);
    }
  });

  it("agrees with the widget on every generated value", () => {
    const value = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: "grapheme", maxLength: 80 }),
      fc.constantFrom(
        "https://t.me/i/userpic/320/a.jpg",
        "http://t.me/a.jpg",
        "https://t.me/a b.jpg",
        `https://t.me/${"a".repeat(520)}`,
        "olga_99",
        "x".repeat(257),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(claim) as (keyof typeof claim)[])), value, (name, v) => {
        // An empty claim is "not sent" for OpenID Connect; the widget has no such value to compare.
        fc.pre(v.length > 0);
        expect(oidcAccepts(name, v)).toBe(widgetAccepts(claim[name], v));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("PKCE and state", () => {
  it("computes the S256 challenge of RFC 7636's example", () => {
    expect(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });
  it("compares state exactly", () => {
    expect(sameState("abc", "abc")).toBe(true);
    expect(sameState("abc", "abd")).toBe(false);
    expect(sameState("abc", null)).toBe(false);
  });
});
