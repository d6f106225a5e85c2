// Podman for the container tests: the settings of scripts/container/containers.conf, host
// networking (every connection stays on loopback), and errors that carry Podman's own output.
import { execFile } from "node:child_process";
import { resolve } from "node:path";

/** The image the tests build and run (tests/container/setup.ts builds it). */
export const IMAGE = "consent-login:test";
export const CONTAINERS_CONF = resolve("scripts/container/containers.conf");
export const podmanEnv = { ...process.env, CONTAINERS_CONF };

export type Run = { stdout: string; stderr: string; code: number };

/** Runs a command; resolves with its output and exit code (never rejects on a non-zero exit). */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Run> {
  return new Promise((res, rej) => {
    execFile(
      cmd,
      args,
      { env: opts.env ?? podmanEnv, cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") return rej(error);
        res({ stdout, stderr, code: error ? (error.code as number) : 0 });
      },
    );
  });
}

/** `podman ARGS`, which must succeed; answers its trimmed stdout. */
export async function podman(...args: string[]): Promise<string> {
  const r = await run("podman", args);
  if (r.code !== 0) throw new Error(`podman ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout.trim();
}

/** Waits until the container's own HEALTHCHECK passes (podman healthcheck run: the image's command). */
export async function waitHealthy(container: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await run("podman", ["healthcheck", "run", container]);
    if (r.code === 0) return;
    const state = await run("podman", ["inspect", "--format", "{{.State.Status}}", container]);
    if (state.stdout.trim() === "exited") {
      const logs = await run("podman", ["logs", container]);
      throw new Error(`container ${container} exited:\n${logs.stdout}${logs.stderr}`);
    }
    if (Date.now() > deadline) throw new Error(`container ${container} not healthy: ${r.stdout}${r.stderr}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
