import { defineConfig } from "@playwright/test";
import { debianChromium } from "./scripts/chromium.mjs";

// Debian's Chromium (npx playwright install cannot download here): `npm test` finds or gets one and
// passes it as CHROMIUM_PATH (scripts/chromium.mjs); run directly, this takes Debian's headless
// shell, else its full chromium. As root it needs --no-sandbox;
// the background-networking flags keep it from calling out of this closed network.
export default defineConfig({
  testDir: "e2e",
  // The security suite's browser checks run with `npm run test:security` (playwright.security.config.ts).
  testIgnore: ["security/**"],
  // Two spec files at once (each starts its own server on its own database); the page matrix
  // (e2e/matrix.spec.ts) also spreads its states over both workers.
  fullyParallel: false,
  workers: 2,
  timeout: 60_000,
  retries: 0,
  reporter: [["list"]],
  globalSetup: "./e2e/global-setup.ts",
  use: {
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? debianChromium() ?? undefined,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    trace: "off",
  },
});
