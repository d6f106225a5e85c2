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
  // How long an assertion waits for the page to reach a state, not a looser assertion. A form sent
  // before the page has hydrated is held by React and sent once it has (measured: with the scripts
  // held back 0, 1.5 and 4 s, the click reached /settings 1.0, 2.8 and 4.8 s later), and under CI's
  // suites running side by side on two cores hydration alone has taken over 5 s, Playwright's default.
  expect: { timeout: 15_000 },
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
