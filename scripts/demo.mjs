// `npm run demo`: builds and starts the app on SQLite with a local demo bot. No Telegram, no
// outside service. lib/core/env.ts refuses demo mode on PostgreSQL, off a loopback APP_ORIGIN, or beside a
// real bot token, and the app refuses it unless it listens on loopback alone (lib/demo/index.ts): hence -H.
import { spawnSync, spawn } from "node:child_process";
import { resolve } from "node:path";

const port = process.env.PORT ?? "3000";
const envVars = {
  ...process.env,
  DEMO_MODE: "1",
  PORT: port,
  APP_ORIGIN: process.env.APP_ORIGIN ?? `http://localhost:${port}`,
  DATABASE_URL: process.env.DATABASE_URL ?? "file:./data/demo.db",
  NEXT_TELEMETRY_DISABLED: "1",
};
for (const name of ["TELEGRAM_BOT_TOKEN"]) delete envVars[name];

const build = spawnSync("npx", ["next", "build"], { stdio: "inherit", env: envVars });
if (build.status !== 0) process.exit(build.status ?? 1);
console.log(`\nDemo running at ${envVars.APP_ORIGIN} (Ctrl+C to stop)\n`);
// Next's own entry point under this node, not npx: a signal forwarded to npx never reached the
// server, which then kept listening after the script was stopped.
const server = spawn(
  process.execPath,
  [resolve("node_modules/next/dist/bin/next"), "start", "-p", port, "-H", "127.0.0.1"],
  { stdio: "inherit", env: envVars },
);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.kill(sig));
server.on("exit", (code) => process.exit(code ?? 0));
