// The benchmark harness itself, in its quick mode (about a second per phase, tiny sizes): proves
// `npm run bench` still runs end to end and writes both outputs. Its figures mean nothing.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("npm run bench --quick", () => {
  it("measures every figure on SQLite and writes BENCHMARKS.md and bench-results.json", () => {
    const out = mkdtempSync(join(tmpdir(), "bench-smoke-"));
    execFileSync(
      process.execPath,
      ["--import", "tsx", "scripts/bench/run.ts", "--quick", "--db", "sqlite", "--out", out],
      {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, VITEST: undefined },
        timeout: 240_000,
      },
    );
    const run = JSON.parse(readFileSync(join(out, "bench-results.json"), "utf8")) as {
      figures: { figure: string; value: number | null }[];
      peers?: unknown;
    };
    // The peer apps (bench/peers/) are installed and built only when the bench is asked for them, never by npm test.
    expect(run.peers).toBeUndefined();
    const names = run.figures.map((f) => f.figure).join("\n");
    for (const expected of [
      /Sign-in throughput at saturation/,
      /p99/,
      /HMAC check/,
      /First-load JS of the settings page/,
      /peak RSS/,
      /Admin report at 400/,
      /Erasing one user at 400/,
      /Page: settings page .*throughput at saturation \/ blank page/,
      /Page: admin report at 200 people, p99/,
    ]) {
      expect(names).toMatch(expected);
    }
    // JSON writes NaN as null: a figure whose reference was never measured would show up here.
    expect(run.figures.filter((f) => f.value === null || !Number.isFinite(f.value))).toEqual([]);
    expect(readFileSync(join(out, "BENCHMARKS.md"), "utf8")).toMatch(/\| Figure \| Database \| Value \(ratio\)/);
  }, 240_000);
});
