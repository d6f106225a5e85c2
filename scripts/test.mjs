// `npm test`: everything that proves the app, on SQLite. `npm run test:postgres`: the same suites on
// a fresh PostgreSQL database per suite (TEST_DB=postgres). Steps stop at the first failure.
//   --no-build  reuse the production build in .next (CI builds once, then runs both databases)
//   --no-shared skip the steps that do not depend on the database (lint, the migrations check, the
//               unit tests): CI runs them once, in the SQLite run, and passes this to the second
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { findChromium } from "./chromium.mjs";

const postgres = process.argv.includes("--postgres");
const build = !process.argv.includes("--no-build") || !existsSync(".next/BUILD_ID");
const shared = !process.argv.includes("--no-shared");
const env = { ...process.env, TEST_DB: postgres ? "postgres" : "sqlite", NEXT_TELEMETRY_DISABLED: "1" };

// The quick steps and the build do not read each other's output, so they run at once: on two cores
// one at a time left a core idle for much of lint (one thread) and the Prisma diff (a spawn and a
// wait). Each prints its output when it ends; the first to fail stops the others.
const together = [
  ...(shared
    ? [
        // A lint error or a boundary break (eslint.config.mjs) stops the build with it.
        ["lint and format (eslint, prettier --check)", "npm", ["run", "--silent", "lint"]],
        ["migrations match the models", "node", ["scripts/new-migration.mjs", "--check"]],
        // Pure modules need no build (vitest.config.ts, "unit").
        ["unit tests (vitest, no build needed)", "npx", ["vitest", "run", "--project", "unit"]],
      ]
    : []),
  ...(build ? [["type check and production build", "npx", ["next", "build"]]] : []),
];
// Against the build, one after the other: each keeps both cores busy on its own.
const inTurn = [
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

function fail(label, at, status) {
  console.error(`\n✗ ${label} failed [${env.TEST_DB}] after ${seconds(at)}`);
  process.exit(status ?? 1);
}

if (together.length > 0) {
  console.log(`\n▶ at once [${env.TEST_DB}]: ${together.map(([label]) => label).join("; ")}`);
  const running = new Set();
  await Promise.all(
    together.map(
      ([label, cmd, args]) =>
        new Promise((done) => {
          const at = Date.now();
          // Its own process group, so that a failure elsewhere stops it with everything it started.
          const child = spawn(cmd, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
          running.add(child);
          const output = [];
          child.stdout.on("data", (d) => output.push(d));
          child.stderr.on("data", (d) => output.push(d));
          child.on("close", (status) => {
            running.delete(child);
            console.log(`\n▶ ${label} [${env.TEST_DB}]`);
            process.stdout.write(Buffer.concat(output));
            if (status !== 0) {
              for (const other of running) {
                try {
                  process.kill(-other.pid, "SIGTERM");
                } catch {
                  // Ended meanwhile.
                }
              }
              fail(label, at, status);
            }
            console.log(`\n⏱ ${label} [${env.TEST_DB}]: ${seconds(at)}`);
            done();
          });
        }),
    ),
  );
}

for (const [label, cmd, args] of inTurn) {
  console.log(`\n▶ ${label} [${env.TEST_DB}]`);
  const at = Date.now();
  const r = spawnSync(cmd, args, { stdio: "inherit", env });
  if (r.status !== 0) fail(label, at, r.status);
  console.log(`\n⏱ ${label} [${env.TEST_DB}]: ${seconds(at)}`);
}
console.log(`\n✓ all suites passed [${env.TEST_DB}] in ${seconds(started)}`);
