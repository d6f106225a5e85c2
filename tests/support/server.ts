// Starts the production build (`next start`) on a free loopback port against a fresh database, the
// way an operator runs it. Logs go to a file so tests can search them.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { secretsOf } from "./consistency";
import { freshDatabase, type TestDatabase } from "./databases";
import { testSecrets } from "./secrets";

export type TestApp = {
  url: string;
  origin: string;
  db: TestDatabase;
  env: NodeJS.ProcessEnv & Record<string, string>;
  logFile: string;
  process: ChildProcess;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
};

// Test processes run side by side (two Vitest workers, two Playwright workers), and a port handed
// to an app that has not bound it yet is free again to the kernel. So each process takes its ports
// from a block of its own, below the kernel's ephemeral range (32768 and up on Linux, where
// listen(0) and outgoing connections take theirs), handing them out in turn; a port something else
// already holds is skipped by binding it first.
const BLOCK = 1000;
const slot = process.env.VITEST_POOL_ID
  ? Number(process.env.VITEST_POOL_ID) % 6
  : process.env.TEST_PARALLEL_INDEX
    ? 6 + (Number(process.env.TEST_PARALLEL_INDEX) % 6)
    : 0;
const first = 20_000 + slot * BLOCK;
let next = first + Math.floor(Math.random() * BLOCK);

function bindable(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once("error", () => res(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => res(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < BLOCK; tries++) {
    const port = next;
    next = first + ((next - first + 1) % BLOCK);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${first}-${first + BLOCK - 1}`);
}

export function assertBuilt(): void {
  if (!existsSync(resolve(".next/BUILD_ID")))
    throw new Error("No production build: run `npm test` (it builds first) or `npx next build`.");
}

/** The last lines a server printed, for the error that says it never became healthy. */
async function lastWords(child: ChildProcess, logFile: string | undefined): Promise<string> {
  if (!logFile) return "";
  // The pipes may still hold its last lines: wait (briefly) for them to reach the file.
  if (child.exitCode !== null) await new Promise((r) => setTimeout(r, 300));
  const text = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
  const tail = text.trimEnd().split("\n").slice(-15).join("\n");
  return tail ? `; its last words (${logFile}):\n${tail}` : "";
}

export async function waitForHealth(
  url: string,
  child: ChildProcess,
  timeoutMs = 60_000,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`server exited with code ${child.exitCode}${await lastWords(child, logFile)}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`server did not become healthy in time${await lastWords(child, logFile)}`);
}

/** nodeArgs: flags for the server's node process (the CPU profiler: NODE_OPTIONS does not admit --cpu-prof on Node 20). */
/** host: the address given to `next start -H` ("localhost" unless set; null: no -H, which listens on every interface). */
export type StartOptions = {
  label: string;
  env?: Record<string, string>;
  db?: TestDatabase;
  secrets?: Record<string, string>;
  nodeArgs?: string[];
  host?: string | null;
  /** Settings the app must start without (the demo's placeholders for an unset CONTROLLER_NAME). */
  unset?: string[];
};

/**
 * The environment a test server starts with: this process's (less the test runner's own settings),
 * production mode on the suite's database and port, the controller production requires, the test
 * secrets, then the suite's own settings; `unset` names what it must start without. The demo is on
 * only when the suite asks for it, never inherited.
 */
function serverEnv(opts: StartOptions, db: TestDatabase, port: number, origin: string): Record<string, string> {
  const env: Record<string, string> = {
    ...(Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("TEST_") && k !== "NODE_OPTIONS"),
    ) as Record<string, string>),
    NODE_ENV: "production",
    PORT: String(port),
    APP_ORIGIN: origin,
    DATABASE_URL: db.url,
    DATA_DIR: db.dir,
    LOG_LEVEL: "info",
    PURGE_INTERVAL_MINUTES: "0",
    NEXT_TELEMETRY_DISABLED: "1",
    // Every suite talks from 127.0.0.1; the rate-limit tests set 1 to see the real limits.
    RATE_LIMIT_FACTOR: "1000",
    // Required in production; a suite that checks them sets its own through opts.env.
    CONTROLLER_NAME: "Test Controller Ltd",
    CONTROLLER_CONTACT: "privacy@controller.test",
    PRIVACY_POLICY_URL: "https://controller.test/privacy",
    ...(opts.secrets ?? testSecrets()),
    ...opts.env,
  };
  delete env.VITEST;
  delete env.DEMO_MODE;
  if (opts.env?.DEMO_MODE) env.DEMO_MODE = opts.env.DEMO_MODE;
  for (const name of opts.unset ?? []) delete env[name];
  return env;
}

export async function startApp(opts: StartOptions): Promise<TestApp> {
  assertBuilt();
  const db = opts.db ?? (await freshDatabase(opts.label));
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const env = serverEnv(opts, db, port, origin);
  if (env.DEMO_MODE) delete env.TELEGRAM_BOT_TOKEN;
  const logFile = join(db.dir, `server-${port}.log`);
  const out = createWriteStream(logFile);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      resolve("node_modules/next/dist/bin/next"),
      "start",
      "-p",
      String(port),
      ...(opts.host === null ? [] : ["-H", opts.host ?? "localhost"]),
    ],
    { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const app: TestApp = {
    url: origin,
    origin,
    db,
    env: env as NodeJS.ProcessEnv & Record<string, string>,
    logFile,
    process: child,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((res) => {
        // Next's graceful shutdown waits for every connection still open to end; one left open by a
        // browser tab once held a test's teardown past its 60 s (CI, 7 December). After 20 s the
        // server is killed, as an orchestrator does at the end of its grace period.
        const grace = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.once("exit", () => {
          clearTimeout(grace);
          res();
        });
        child.kill(signal);
      });
    },
  };
  await waitForHealth(origin, child, 60_000, logFile);
  return app;
}

export type ExitedStart = { code: number | null; output: string; seconds: number };

/**
 * Starts the app with a configuration it must refuse and waits for it to exit (killed after
 * timeoutMs): its exit code and everything it printed. viaNpmStart runs `npm start` (the checks
 * before `next start`, scripts/start.ts) instead of `next start` itself.
 */
export async function startExpectingExit(
  opts: StartOptions & { viaNpmStart?: boolean; timeoutMs?: number },
): Promise<ExitedStart> {
  assertBuilt();
  const db = opts.db ?? (await freshDatabase(opts.label));
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const env = serverEnv(opts, db, port, origin);
  const args = opts.viaNpmStart
    ? ["run", "-s", "start", "--", "-p", String(port), "-H", "localhost"]
    : [resolve("node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "localhost"];
  const started = performance.now();
  const child = spawn(opts.viaNpmStart ? "npm" : process.execPath, args, {
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += String(d)));
  child.stderr!.on("data", (d) => (output += String(d)));
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((res) => child.once("exit", (c) => res(c)));
  clearTimeout(timer);
  return { code, output, seconds: (performance.now() - started) / 1000 };
}

/**
 * Starts the app and points this test process's environment at the same database, secrets and
 * settings (`opts.env`, then `alsoHere`), for a suite that calls lib/ directly against what the
 * server wrote. lib/ reads its environment once, on first use (env() in lib/core/env.ts), so call
 * it only after this returns.
 * Stop it with `stopAppForThisProcess`, which closes this process's own database client first.
 */
export async function startAppForThisProcess(
  opts: StartOptions,
  alsoHere: Record<string, string> = {},
): Promise<TestApp> {
  const app = await startApp(opts);
  Object.assign(process.env, {
    ...secretsOf(app.env),
    DATABASE_URL: app.db.url,
    DATA_DIR: app.db.dir,
    LOG_LEVEL: "silent",
    ...opts.env,
    ...alsoHere,
  });
  return app;
}

export async function stopAppForThisProcess(app: TestApp | undefined): Promise<void> {
  await (await import("../../lib/data/db")).disconnect();
  await app?.stop();
  await app?.db.drop();
}
