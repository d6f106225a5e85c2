// The sign-in's optimistic path on PostgreSQL (lib/data/sign-in/direct.ts) trusts that whatever
// changes a user's consents or field values, or deletes the user, has first written the user row, so
// that the row version it read the consents with moves. withUserWriteLock (lib/data/locks.ts) is the
// one way to do that. This test reads the source and fails on any write to those tables that is not
// inside a function holding its proof (a LockedUser parameter), unless it is one of the few listed
// below with the reason it is safe.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");

/** Writes that go around withUserWriteLock on purpose: file:function → why that is safe. */
const OUTSIDE_THE_LOCK: Record<string, string> = {
  "lib/data/sign-in/direct.ts:signInOnSqlite":
    "the sign-in itself: its first write locks the user row (lockUserSql), before it reads consents",
  "lib/data/sign-in/direct.ts:writeStatement":
    "the sign-in itself: every part of the statement is guarded by the CTE that locked the user row",
  "lib/data/vault.ts:fieldUpsertStatement":
    "builds the statement text only; it runs in writeCovered (locked) and in the sign-in",
  "lib/data/purge.ts:purgeField":
    "deletes values past retention, re-checked by the DELETE itself; it changes no consent, so a sign-in's plan stays right (a value it writes again restarts its retention)",
  "lib/data/seed.ts:insertSyntheticPeople":
    "writes only synthetic people it creates in the same transaction: no sign-in can have read them",
  "lib/data/seed.ts:copySyntheticPeople":
    "grows a benchmark database before it serves anyone, with people it creates in the same statements",
};

// Matched against a file's whole text, so a call that a formatter splits over lines still counts.
const WRITES = [
  // Prisma's model API.
  /\.\s*(consentState|userField)\s*\.\s*(create|createMany|update|updateMany|upsert|delete|deleteMany)\s*\(/g,
  /\.\s*user\s*\.\s*(delete|deleteMany)\s*\(/g,
  // Raw SQL, in either quoting.
  /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(consent_states|user_fields)\b/gi,
  /\bDELETE\s+FROM\s+"?users\b/gi,
  /insertMany\(\s*[^,]+,\s*"(consent_states|user_fields)"/g,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith(".") ? [] : sourceFiles(path);
    return /\.(ts|tsx|mjs)$/.test(e.name) && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

type Hit = { where: string; line: number; signature: string };

/** Every write in the tree, with the top-level function it is in and that function's signature. */
function writesIn(files: string[]): Hit[] {
  const hits: Hit[] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    // Each top-level function: its name, its first line, and its signature up to the line that opens the body.
    const decls = lines.flatMap((line, i) => {
      const decl = /^(?:export\s+)?(?:async\s+)?function\s+(\w+)/.exec(line);
      if (!decl) return [];
      let end = i;
      while (end < lines.length - 1 && !/\{\s*$/.test(lines[end]!)) end += 1;
      return [{ fn: decl[1]!, line: i, signature: lines.slice(i, end + 1).join("\n") }];
    });
    for (const write of WRITES) {
      for (const m of text.matchAll(write)) {
        const line = text.slice(0, m.index).split("\n").length - 1;
        const decl = decls.filter((d) => d.line <= line).at(-1);
        hits.push({
          where: `${relative(ROOT, file)}:${decl?.fn ?? "(top level)"}`,
          line: line + 1,
          signature: decl?.signature ?? "",
        });
      }
    }
  }
  return hits;
}

const files = ["lib", "app", "scripts", "components"].flatMap((d) => sourceFiles(join(ROOT, d)));
const hits = writesIn(files);

describe("every writer of consents, field values or user deletion goes through withUserWriteLock", () => {
  it("finds the writers it is meant to police (the scan itself works)", () => {
    const places = new Set(hits.map((h) => h.where));
    for (const known of [
      "lib/data/consents.ts:decide",
      "lib/data/erase.ts:eraseLocked",
      "lib/data/vault.ts:writeCovered",
      "lib/data/vault.ts:eraseUncoveredFields",
    ])
      expect(places).toContain(known);
  });

  it("has no write outside a function holding the lock's proof, except the listed ones", () => {
    const bypasses = hits
      .filter((h) => !/\bLockedUser\b/.test(h.signature) && !(h.where in OUTSIDE_THE_LOCK))
      .map((h) => `${h.where} (line ${h.line})`);
    expect(bypasses).toEqual([]);
  });

  it("lists no exception that is no longer needed", () => {
    const places = new Set(hits.map((h) => h.where));
    expect(Object.keys(OUTSIDE_THE_LOCK).filter((w) => !places.has(w))).toEqual([]);
  });

  it("lets only withUserWriteLock make the proof", () => {
    const forgers = files
      .filter((f) => /as\s+LockedUser\b/.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(forgers).toEqual(["lib/data/locks.ts"]);
    // No other way out of locks.ts to take the user's row lock without the proof.
    const exported = [
      ...readFileSync(join(ROOT, "lib/data/locks.ts"), "utf8").matchAll(
        /^export\s+(?:async\s+)?(?:function|type|const)\s+(\w+)/gm,
      ),
    ]
      .map((m) => m[1])
      .sort();
    expect(exported).toEqual(["LockedUser", "lockLedger", "withUserWriteLock"]);
  });
});
