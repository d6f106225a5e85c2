// The import boundaries of eslint.config.mjs, through the project's own ESLint configuration
// (issue 25, item 6): the spellings and forms that walked around the specifier-as-written match
// (dynamic import(), `@/lib/./data/erase`, `@/lib//data/users`, re-exports, relative paths with
// detours) are refused where the boundary refuses the plain import, and allowed where it allows it.
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// import/no-cycle needs the file on disk (the probes are not): off, it is not under test here.
const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: { rules: { "import/no-cycle": "off" } } });

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

  it("refuse the driver under Prisma to lib/data/ outside the sign-in, by name or dynamically", async () => {
    for (const code of [
      `import { driver } from "./db";`,
      `export async function f() { const { driver } = await import("../data/./db"); return driver; }`,
      `export async function f() { return import("pg"); }`,
    ])
      expect(await boundaryErrors("lib/data/probe.ts", code), code).not.toEqual([]);
  });
});
