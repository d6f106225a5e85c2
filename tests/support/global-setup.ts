import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { assertBuilt } from "./server";

/** Removes test folders from earlier runs, but not those of a run going on beside this one. */
export function pruneOldTestRuns(maxAgeMs = 2 * 3600_000): void {
  let entries: string[] = [];
  try {
    entries = readdirSync(".test-runs");
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = join(".test-runs", name);
    if (Date.now() - statSync(dir).mtimeMs > maxAgeMs) rmSync(dir, { recursive: true, force: true });
  }
}

export default function setup() {
  assertBuilt();
  pruneOldTestRuns();
}
