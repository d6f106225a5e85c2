import { defineConfig } from "vitest/config";
import { integration, shared } from "./vitest.config";

// `npm run bench -- --smoke`: the benchmark harness itself, in its quick mode, against the production
// build. Not part of `npm test`: it proves the bench still runs, which only the bench's users need.
export default defineConfig({
  ...shared,
  test: { ...shared.test, ...integration, include: ["scripts/bench/smoke.test.ts"], exclude: ["node_modules/**"] },
});
