// Before the container suites: the stand-in base images where no registry is reachable (each script
// skips when its image exists), then the repository's Dockerfile, built as a user would build it.
// Prints how long each step took and the image's size.
import { pruneOldTestRuns } from "../support/global-setup";
import { IMAGE, podman, run } from "./podman";

async function step(label: string, cmd: string, args: string[]): Promise<void> {
  const started = Date.now();
  const r = await run(cmd, args);
  if (r.code !== 0) throw new Error(`${label} failed (${r.code}):\n${r.stdout.slice(-4000)}${r.stderr.slice(-4000)}`);
  console.log(`▶ ${label}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

export default async function setup() {
  pruneOldTestRuns();
  // Side by side: each is mostly a download from the Debian mirror.
  await Promise.all([
    step("base image (node:20-bookworm-slim)", "bash", ["scripts/container/base-image.sh"]),
    step("postgres image (postgres:15-bookworm)", "bash", ["scripts/container/postgres-image.sh"]),
  ]);
  // --pull=never: the base is the local stand-in (or an image pulled before); --format docker keeps
  // the HEALTHCHECK, which the OCI format has no field for.
  await step("podman build", "podman", [
    "build",
    "--pull=never",
    "--format",
    "docker",
    "--network=host",
    "--tag",
    IMAGE,
    ".",
  ]);
  const bytes = Number(await podman("image", "inspect", "--format", "{{.Size}}", IMAGE));
  console.log(`▶ image ${IMAGE}: ${(bytes / 1e6).toFixed(0)} MB`);
}
