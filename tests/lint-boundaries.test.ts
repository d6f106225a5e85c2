// The import boundaries of eslint.config.mjs, through the project's own ESLint configuration
// (issue 25, item 6): the spellings and forms that walked around the specifier-as-written match
// (dynamic import(), `@/lib/./data/erase`, `@/lib//data/users`, re-exports, relative paths with
// detours) are refused where the boundary refuses the plain import, and allowed where it allows it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tsParser from "@typescript-eslint/parser";
import { ESLint, Linter } from "eslint";
import { describe, expect, it } from "vitest";
import houseCycles from "../eslint-rules/no-cycle.mjs";

const eslint = new ESLint({ cwd: process.cwd() });

/** The boundary messages ESLint gives `code` as if it were the file at `filePath`. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages
    .filter((m) => /restricted-imports|import-boundaries/.test(m.ruleId ?? ""))
    .map((m) => m.message);
}

describe("the import boundaries", () => {
  it("refuse a page every way of naming a data-layer internal or the database", async () => {
    const walks = [
      `import { eraseAccount } from "@/lib/./data/erase";`,
      `import { findUser } from "@/lib//data/users";`,
      `import { findUser } from "@/lib/data/../data/users";`,
      `import { db } from "@/lib/./data/db";`,
      `export { eraseAccount } from "@/lib/data/erase";`,
      `export * from "@/lib//data/erase";`,
      `export async function f() { const m = await import("@/lib/data/erase"); return m; }`,
      `export async function f() { const { db } = await import("@/lib//data/db"); return db; }`,
      `export async function f() { return import(\`@/lib/./data/users\`); }`,
      `export async function f() { const { PrismaClient } = await import("@/prisma//generated/sqlite/client/client"); return PrismaClient; }`,
      `import { eraseAccount } from "../../lib/data/erase.ts";`,
      `import { eraseAccount } from "../../lib/data/./erase";`,
    ];
    for (const code of walks)
      expect(await boundaryErrors("app/(signed-in)/settings/probe.tsx", code), code).not.toEqual([]);
  });

  it("refuse lib/ outside the data layer a dynamic import of the database", async () => {
    for (const code of [
      `export async function f() { const { db } = await import("../data/../data/db"); return db; }`,
      `export async function f() { return (await import("../data/db")).db; }`,
    ])
      expect(await boundaryErrors("lib/web/probe.ts", code), code).not.toEqual([]);
  });

  it("still allow what the boundaries allow", async () => {
    const allowed: [string, string][] = [
      ["app/(signed-in)/settings/probe.tsx", `import { getConsentOverview } from "@/lib/data/consents";`],
      ["app/(signed-in)/settings/probe.tsx", `export async function f() { return import("@/lib/data/./report"); }`],
      ["app/probe.tsx", `import type { Db } from "@/lib/use-cases/account";`],
      ["lib/data/probe.ts", `export async function f() { const { db } = await import("./db"); return db; }`],
      ["lib/data/probe.ts", `import type { Pool } from "pg";\nexport type P = Pool;`],
    ];
    for (const [file, code] of allowed) expect(await boundaryErrors(file, code), `${file}: ${code}`).toEqual([]);
  });

  it("refuse the driver under Prisma to lib/data/ outside the sign-in, group-commit.ts and direct-read.ts, by name or dynamically", async () => {
    for (const code of [
      `import { driver } from "./db";`,
      `export async function f() { const { driver } = await import("../data/./db"); return driver; }`,
      `export async function f() { return import("pg"); }`,
    ])
      expect(await boundaryErrors("lib/data/probe.ts", code), code).not.toEqual([]);
  });
});

// eslint-rules/no-cycle.mjs took import/no-cycle's place (which cost 90% of lint's time): the same
// cycles must still fail, and type-only imports must still not count.
describe("the cycle check", () => {
  function cycleErrors(files: Record<string, string>, lint: string): string[] {
    const dir = mkdtempSync(join(tmpdir(), "cycle-"));
    try {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      const linter = new Linter({ cwd: dir });
      return linter
        .verify(
          files[lint]!,
          [
            {
              files: ["**/*.ts"],
              languageOptions: { parser: tsParser },
              plugins: { "house-cycles": houseCycles },
              rules: { "house-cycles/no-cycle": "error" },
            },
          ],
          join(dir, lint),
        )
        .map((m) => m.message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const ring = (cImportsA: string) => ({
    "a.ts": `import { b } from "./b";\nexport const a = () => b();\n`,
    "b.ts": `export { c as b } from "./c.ts";\n`,
    "c.ts": `${cImportsA}\nexport const c = () => 1;\n`,
  });

  it("finds a cycle through a re-export, an extension and a dynamic import, naming the whole ring", () => {
    expect(cycleErrors(ring(`import { a } from "./a"; void a;`), "a.ts")).toEqual([
      "Dependency cycle: a.ts → b.ts → c.ts → a.ts",
    ]);
    expect(cycleErrors(ring(`export const later = () => import("./a");`), "b.ts")).toEqual([
      "Dependency cycle: b.ts → c.ts → a.ts → b.ts",
    ]);
  });

  it("does not count type-only imports, which are erased at compile time", () => {
    expect(cycleErrors(ring(`import type { a } from "./a"; export type A = typeof a;`), "a.ts")).toEqual([]);
    expect(cycleErrors(ring(`import { type a } from "./a"; export type A = typeof a;`), "a.ts")).toEqual([]);
  });
});
