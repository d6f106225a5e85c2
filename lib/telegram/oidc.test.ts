import { describe, expect, it } from "vitest";
import { identityFromClaims, pkceChallenge, sameState } from "./oidc";

describe("identityFromClaims", () => {
  it("takes the Telegram id from `id` and keeps a sub above 2^53 as the exact string", () => {
    const sub = "90071992547409931234";
    const identity = identityFromClaims({ sub, id: 123456789, name: "Olga", preferred_username: "olga", picture: "https://t.me/i/userpic/320/x.jpg", phone_number: "4915123456789" });
    expect(identity).toEqual({
      sub,
      profile: { telegramId: 123456789n, first_name: "Olga", last_name: undefined, username: "olga", photo_url: "https://t.me/i/userpic/320/x.jpg" },
      phoneNumber: "4915123456789",
    });
  });

  it("refuses a missing, unsafe or malformed id", () => {
    for (const id of [undefined, 0, -5, 2 ** 53 + 2, 1.5, "12a", "0123", ""]) expect(identityFromClaims({ sub: "1", id })).toBeNull();
    expect(identityFromClaims({ id: 5 })).toBeNull();
  });
});

describe("PKCE and state", () => {
  it("computes the S256 challenge of RFC 7636's example", () => {
    expect(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });
  it("compares state exactly", () => {
    expect(sameState("abc", "abc")).toBe(true);
    expect(sameState("abc", "abd")).toBe(false);
    expect(sameState("abc", null)).toBe(false);
  });
});
