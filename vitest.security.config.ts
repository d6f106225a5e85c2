import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// `npm run test:security`: the adversarial suite against the production build. The two-instance
// tests need PostgreSQL (several instances share one database only there), so they run with
// TEST_DB=postgres; the redaction unit test runs in both.
const postgres = process.env.TEST_DB === "postgres";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      "server-only": fileURLToPath(new URL("./tests/support/server-only.ts", import.meta.url)),
    },
  },
  test: {
    include: ["tests/security/*.test.ts", "lib/log.test.ts", ...(postgres ? ["tests/security/postgres/*.test.ts"] : [])],
    environment: "node",
    testTimeout: 300_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    globalSetup: ["tests/support/global-setup.ts"],
  },
});
