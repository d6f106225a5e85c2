import { defineConfig } from "vitest/config";
import { integration, shared } from "./vitest.config";

// `npm run bench -- --smoke`: the benchmark harness itself, in its quick mode, against the production
// build, and its load generator's own test. Not part of `npm test`: it proves the bench still runs,
// which only the bench's users need.
export default defineConfig({
  ...shared,
  test: { ...shared.test, ...integration, include: ["scripts/bench/*.test.ts"], exclude: ["node_modules/**"] },
});
