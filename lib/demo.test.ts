import { describe, expect, it } from "vitest";
import { isLoopbackAddress } from "./demo";
import { DEMO_PERSONAS, describeDemoPersona, type DemoPersona } from "./demo-personas";

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

describe("describeDemoPersona", () => {
  it("names exactly the profile fields each persona has", () => {
    const words = {
      first_name: "first name",
      last_name: "last name",
      username: "username",
      photo_url: "profile photo",
    } as const;
    for (const id of Object.keys(DEMO_PERSONAS) as DemoPersona[]) {
      const p: Record<string, string | undefined> = DEMO_PERSONAS[id];
      const has = /^[^:]+: ([^.]*)\./.exec(describeDemoPersona(id))![1]!.split(", ");
      expect(has, id).toEqual(
        Object.entries(words)
          .filter(([f]) => p[f])
          .map(([, w]) => w),
      );
    }
    expect(describeDemoPersona("alan")).toBe("Alan: first name. No last name, username or profile photo.");
  });
});
