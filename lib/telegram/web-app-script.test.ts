import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// public/telegram-web-app.js is served to the Mini App from this site (the CSP admits no other host):
// it must be exactly the script of the pinned package, not an edited or stale copy.
describe("public/telegram-web-app.js", () => {
  it("is Telegram's script as the pinned @twa-dev/sdk carries it (npm run telegram-web-app copies it)", () => {
    const served = readFileSync(new URL("../../public/telegram-web-app.js", import.meta.url));
    const packaged = readFileSync(new URL("../../node_modules/@twa-dev/sdk/src/telegram-web-apps.js", import.meta.url));
    expect(served.equals(packaged)).toBe(true);
    expect(served.toString()).toContain("window.Telegram.WebApp = WebApp;");
  });
});
