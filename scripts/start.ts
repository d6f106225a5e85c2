// `npm start`: checks what the server's start checks (lib/use-cases/startup.ts: every configuration problem at
// once, the database within DATABASE_TIMEOUT_SECONDS, the keys against the database's check values)
// and prints every problem before Next.js says Ready, exiting 1; then runs `next start` with the
// same arguments and exits with it.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { closeDatabase } from "../lib/data/connection";
import { checkStart } from "../lib/use-cases/startup";

try {
  await checkStart();
  await closeDatabase();
} catch (e) {
  // The messages name the variable or entry at fault and never contain a secret.
  console.error(`\nThe app cannot start:\n${(e as Error).message}\n`);
  process.exit(1);
}
// Next's own entry point under this node (as scripts/demo.mjs does), so signals reach the server.
const server = spawn(
  process.execPath,
  [resolve("node_modules/next/dist/bin/next"), "start", ...process.argv.slice(2)],
  {
    stdio: "inherit",
  },
);
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => server.kill(sig));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 0)));
