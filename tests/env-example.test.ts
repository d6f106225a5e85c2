// .env.example lists every variable lib/core/env.ts reads, each with a line saying what it means, and
// nothing lib/core/env.ts does not know (besides compose.yaml's own POSTGRES_PASSWORD): a variable added
// to the parser without a word for operators fails here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const parsed = (() => {
  const source = readFileSync("lib/core/env.ts", "utf8");
  const body = source.slice(
    source.indexOf("const RawEnv = z.object({"),
    source.indexOf("\n});", source.indexOf("const RawEnv")),
  );
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
})();

const example = readFileSync(".env.example", "utf8").split("\n");
const listed = example.flatMap((line, i) => {
  const m = /^(?:# )?([A-Z][A-Z0-9_]+)=/.exec(line);
  return m ? [{ name: m[1]!, comment: example[i - 1] ?? "" }] : [];
});

describe(".env.example", () => {
  it("finds the variables in lib/core/env.ts", () => {
    expect(parsed.length).toBeGreaterThan(30);
    expect(parsed).toContain("DATABASE_URL");
  });

  it("lists every variable lib/core/env.ts reads, and no other", () => {
    expect([...new Set(listed.map((v) => v.name))].sort()).toEqual([...parsed, "POSTGRES_PASSWORD"].sort());
  });

  it("says what each one means on the line above it", () => {
    for (const v of listed) expect(v.comment, v.name).toMatch(/^# |^[A-Z][A-Z0-9_]+=/);
    // A group (e.g. the three controller lines) shares one explanation; none starts a file section.
    for (const v of listed) expect(v.comment, v.name).not.toMatch(/^# ──/);
  });
});
