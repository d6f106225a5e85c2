// The erasure journal's file: one line per erased id, appended (never rewritten), owner-only, and
// read back skipping a line torn by a crash mid-write.
import { appendFileSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "erasure-journal-"));
const file = join(dir, "nested", "erasure-journal.log");
process.env.DATA_DIR = dir;
process.env.ERASURE_JOURNAL = file;

it("appends ids durably and reads them back, skipping a torn line", async () => {
  const { journalErasure, journaledErasures } = await import("./erasure-journal");
  expect(journaledErasures()).toEqual([]);
  const a = "0b6f3c2e-5d0a-4c1e-9a55-0d9d3f7f1a01";
  const b = "7f1e2d3c-4b5a-4968-8776-655443322110";
  journalErasure(a, new Date("2026-12-01T00:00:00Z"));
  journalErasure(b);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const first = readFileSync(file, "utf8").split("\n")[0];
  expect(JSON.parse(first!)).toEqual({ erased: a, at: "2026-12-01T00:00:00.000Z" });
  appendFileSync(file, '{"erased":"7f1e2d3c-4b5a');
  expect(journaledErasures()).toEqual([a, b]);
  // The next entry after a torn line starts on its own line and is read.
  const c = "c0ffee00-1111-4222-8333-944445555666";
  journalErasure(c);
  expect(journaledErasures()).toEqual([a, b, c]);
  expect(() => journalErasure("not an id; drop table")).toThrow(/not a user id/);
});
