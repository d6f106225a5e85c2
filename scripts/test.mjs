// `npm test`: everything that proves the app, on SQLite. `npm run test:postgres`: the same suites on
// a fresh PostgreSQL database per suite (TEST_DB=postgres). Steps stop at the first failure.
//   --no-build  reuse the production build in .next (CI builds once, then runs both databases)
//   --no-shared skip the steps that do not depend on the database (lint, the migrations check, the
//               unit tests): CI runs them once, in the SQLite run, and passes this to the second
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { findChromium } from "./chromium.mjs";

const postgres = process.argv.includes("--postgres");
const build = !process.argv.includes("--no-build") || !existsSync(".next/BUILD_ID");
const shared = !process.argv.includes("--no-shared");
const env = { ...process.env, TEST_DB: postgres ? "postgres" : "sqlite", NEXT_TELEMETRY_DISABLED: "1" };

const steps = [
  ...(shared
    ? [
        // Fast, so first: a lint error or a boundary break (eslint.config.mjs) fails before anything is built.
        ["lint and format (eslint, prettier --check)", "npm", ["run", "--silent", "lint"]],
        ["migrations match the models", "node", ["scripts/new-migration.mjs", "--check"]],
        // Pure modules need no build: their tests run before it, in parallel (vitest.config.ts, "unit").
        ["unit tests (vitest, no build needed)", "npx", ["vitest", "run", "--project", "unit"]],
      ]
    : []),
  ...(build ? [["type check and production build", "npx", ["next", "build"]]] : []),
  ["integration tests against the build (vitest)", "npx", ["vitest", "run", "--project", "integration"]],
  ["end-to-end tests in Chromium (playwright)", "npx", ["playwright", "test"]],
];

console.log(`\n▶ a Chromium for the browser tests`);
try {
  env.CHROMIUM_PATH = await findChromium();
} catch (e) {
  console.error(`\n✗ ${e.message}`);
  process.exit(1);
}

const seconds = (since) => `${Math.round((Date.now() - since) / 1000)} s`;
const started = Date.now();
for (const [label, cmd, args] of steps) {
  console.log(`\n▶ ${label} [${env.TEST_DB}]`);
  const at = Date.now();
  const r = spawnSync(cmd, args, { stdio: "inherit", env });
  if (r.status !== 0) {
    console.error(`\n✗ ${label} failed [${env.TEST_DB}] after ${seconds(at)}`);
    process.exit(r.status ?? 1);
  }
  console.log(`\n⏱ ${label} [${env.TEST_DB}]: ${seconds(at)}`);
}
console.log(`\n✓ all suites passed [${env.TEST_DB}] in ${seconds(started)}`);
