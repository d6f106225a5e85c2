import { defineConfig } from "vitest/config";
import { shared } from "./vitest.config";

// `npm run test:container`: builds the Dockerfile with Podman (tests/container/setup.ts), then runs
// the image and the compose file. Needs root and Podman; .ci/run says when it cannot run here.
// Built on the shared settings, not the default config: its unit and integration projects would
// take over the include list.
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ["tests/container/*.test.ts"],
    exclude: ["node_modules/**"],
    globalSetup: ["tests/container/setup.ts"],
    testTimeout: 300_000,
    // The first build on a new machine: two Debian bases, the dependencies, the production build.
    hookTimeout: 1_800_000,
  },
});
