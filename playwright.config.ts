import { defineConfig } from "@playwright/test";

// Debian's Chromium (npx playwright install cannot download here). As root it needs --no-sandbox;
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
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
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
