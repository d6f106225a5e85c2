import { describe, expect, it } from "vitest";
import { isLoopbackAddress } from "./index";
import { DEMO_PERSONAS, demoPersonaProfile, type DemoPersona } from "../core/demo-personas";

describe("isLoopbackAddress", () => {
  it("accepts only loopback, in every spelling a socket or a proxy header gives it", () => {
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1"])
      expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of [
      "0.0.0.0",
      "::",
      "192.0.2.2",
      "::ffff:192.0.2.2",
      "localhost",
      "127.0.0.1.example.com",
      "",
      "unknown",
      "fe80::1",
    ])
      expect(isLoopbackAddress(a), a).toBe(false);
  });
});

describe("demoPersonaProfile", () => {
  it("names exactly the profile fields each persona has, and the others as missing", () => {
    const fields = ["first_name", "last_name", "username", "photo_url"] as const;
    for (const id of Object.keys(DEMO_PERSONAS) as DemoPersona[]) {
      const p: Record<string, string | undefined> = DEMO_PERSONAS[id];
      const profile = demoPersonaProfile(id);
      expect(profile.has, id).toEqual(fields.filter((f) => p[f]));
      expect(profile.lacks, id).toEqual(fields.filter((f) => !p[f]));
    }
    expect(demoPersonaProfile("alan")).toEqual({
      name: "Alan",
      has: ["first_name"],
      lacks: ["last_name", "username", "photo_url"],
    });
  });
});
