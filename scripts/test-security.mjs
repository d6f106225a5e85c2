// `npm run test:security`: the adversarial suite (fuzzing, access control, headers, rate limits,
// canary scan, crash consistency, axe) on SQLite; `-- --postgres` on PostgreSQL, where the
// two-instance tests join in. Prints the figures at the end, pass or fail.
//   --no-build  reuse the production build in .next (CI builds once)
//   --soak      the long crash soak: 100 SIGKILLs per database instead of 20 (CRASH_ROUNDS overrides
//               both); every kill is checked the same way, the soak only looks for rarer interleavings
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { findChromium } from "./chromium.mjs";

const postgres = process.argv.includes("--postgres");
const build = !process.argv.includes("--no-build") || !existsSync(".next/BUILD_ID");
const env = { ...process.env, TEST_DB: postgres ? "postgres" : "sqlite", NEXT_TELEMETRY_DISABLED: "1" };
const db = env.TEST_DB;
env.CRASH_ROUNDS ??= process.argv.includes("--soak") ? "100" : "20";
console.log(`  crash consistency: ${env.CRASH_ROUNDS} SIGKILLs${process.argv.includes("--soak") ? " (soak)" : ""}`);

rmSync(".security-figures", { recursive: true, force: true });
env.CHROMIUM_PATH = await findChromium();

const steps = [
  ...(build ? [["type check and production build", "npx", ["next", "build"]]] : []),
  ["security suite (vitest)", "npx", ["vitest", "run", "-c", "vitest.security.config.ts"]],
  [
    "accessibility and CSP in Chromium (playwright)",
    "npx",
    ["playwright", "test", "-c", "playwright.security.config.ts"],
  ],
];

const started = Date.now();
let failed = null;
for (const [label, cmd, args] of steps) {
  console.log(`\n▶ ${label} [${db}]`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env });
  if (r.status !== 0) {
    failed = label;
    break;
  }
}

const figures = new Map();
if (existsSync(".security-figures/figures.jsonl")) {
  for (const line of readFileSync(".security-figures/figures.jsonl", "utf8").split("\n").filter(Boolean)) {
    const f = JSON.parse(line);
    const prev = figures.get(f.name) ?? { value: 0, notes: [] };
    prev.value += f.value;
    // Workers of one suite report the same note (each its own share of the figure): say it once.
    if (f.note && !prev.notes.includes(f.note)) prev.notes.push(f.note);
    figures.set(f.name, prev);
  }
}
console.log(`\n── security figures [${db}] ─ ${((Date.now() - started) / 1000).toFixed(0)} s`);
for (const [name, { value, notes }] of figures)
  console.log(`  ${String(value).padStart(7)}  ${name}${notes.length ? `  (${notes.join("; ")})` : ""}`);
if (failed) {
  console.error(`\n✗ ${failed} failed [${db}]`);
  process.exit(1);
}
console.log(`\n✓ security suite passed [${db}]`);
