import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Two projects, so the quick half never waits for the slow one:
// - "unit": pure modules' tests beside them in lib/ and components/ (no server, no build, no
//   database server), run in parallel, file by file; `npm test` runs them before the production build.
// - "integration": tests/ against the production build on fresh databases, two files at a time
//   (each starts its own servers on its own databases and ports, tests/support/server.ts). On this
//   2-core machine two at once took 252 s where one at a time took 310 s: much of a file's time is
//   a server starting or a test waiting.
// `npx vitest run` runs both; `--project unit` or a file path picks. The adversarial suite is its
// own run (`npm run test:security`, vitest.security.config.ts), so is the image's
// (`npm run test:container`, vitest.container.config.ts), and the bench's smoke test belongs to
// `npm run bench -- --smoke` (vitest.bench.config.ts).
export const shared = {
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // "server-only" throws outside React's server condition; tests run lib/ code directly.
      "server-only": fileURLToPath(new URL("./tests/support/server-only.ts", import.meta.url)),
    },
  },
  test: {
    environment: "node" as const,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
};

export const integration = {
  include: ["tests/**/*.test.ts"],
  // tests/container/ is `npm run test:container`'s (vitest.container.config.ts): it builds an image.
  exclude: ["tests/security/**", "tests/container/**", "node_modules/**"],
  fileParallelism: true,
  maxWorkers: 2,
  globalSetup: ["tests/support/global-setup.ts"],
};

export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["lib/**/*.test.ts", "components/**/*.test.ts"], fileParallelism: true },
      },
      { extends: true, test: { name: "integration", ...integration } },
    ],
  },
});
