import { defineConfig } from "vitest/config";
import { integration, shared } from "./vitest.config";

// `npm run test:security`: the adversarial suite against the production build, with the regular
// suites' aliases and setup. The two-instance tests need PostgreSQL (several instances share one
// database only there), so they run with TEST_DB=postgres; the redaction unit test runs in both.
const postgres = process.env.TEST_DB === "postgres";

export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    ...integration,
    include: [
      "tests/security/*.test.ts",
      "lib/core/log.test.ts",
      ...(postgres ? ["tests/security/postgres/*.test.ts"] : []),
    ],
    exclude: ["node_modules/**"],
    // One file at a time: the crash test's kills and the fuzzers' thousands of requests each want
    // the machine, and the rate-limit tests count what arrives within a window.
    fileParallelism: false,
    // SIGKILL rounds and thousands of fuzz inputs run in one test each.
    testTimeout: 300_000,
  },
});
