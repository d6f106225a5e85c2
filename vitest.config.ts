import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // "server-only" throws outside React's server condition; tests run lib/ code directly.
      "server-only": fileURLToPath(new URL("./tests/support/server-only.ts", import.meta.url)),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "tests/**/*.test.ts"],
    // The adversarial suite is its own run: `npm run test:security` (vitest.security.config.ts), and
    // so are the image and compose tests: `npm run test:container` (vitest.container.config.ts).
    exclude: ["tests/security/**", "tests/container/**", "node_modules/**"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    globalSetup: ["tests/support/global-setup.ts"],
  },
});
