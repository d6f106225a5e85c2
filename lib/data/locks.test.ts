// The sign-in's optimistic path on PostgreSQL (lib/data/sign-in/direct.ts) trusts that whatever
// changes a user's consents or field values, or deletes the user, has first written the user row, so
// that the row version it read the consents with moves. withUserWriteLock (lib/data/locks.ts) is the
// one way to do that. This test reads the source and fails on any write to those tables that is not
// inside a function holding its proof (a LockedUser parameter), unless it is one of the few listed
// below with the reason it is safe.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
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

// Found on the syntax tree (the TypeScript compiler's parser), not by line patterns: issue 25,
// item 6 added `export const sneakyErase = async (tx, userId) => tx.userField.deleteMany(…)` after
// a function that holds the proof, and the line scan counted it as part of that function.
const WRITE_METHODS = new Set(["create", "createMany", "update", "updateMany", "upsert", "delete", "deleteMany"]);
const DELETE_METHODS = new Set(["delete", "deleteMany"]);
const RAW_WRITES = [
  /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(consent_states|user_fields)\b/i,
  /\bDELETE\s+FROM\s+"?users\b/i,
];
/** A separate user id beside the proof: the writer would name its user twice, and could name another. */
const USER_ID_PARAM = /^(id|userId|subjectId|personId|user_id)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith(".") ? [] : sourceFiles(path);
    return /\.(ts|tsx|mjs)$/.test(e.name) && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

type Hit = { where: string; line: number; holdsProof: boolean; separateUserId: string[] };

type FunctionLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

/** The name a function is known by: its own, or the variable or property it is assigned to. */
function nameOf(fn: FunctionLike): string | null {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name) return fn.name.getText();
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText();
  return null;
}

const takesProof = (fn: FunctionLike) =>
  fn.parameters.some((p) => p.type !== undefined && /^(Readonly<)?LockedUser>?$/.test(p.type.getText()));

/** withUserWriteLock's callback: it receives the proof whether or not its parameter is annotated. */
const isLockCallback = (fn: FunctionLike) =>
  ts.isCallExpression(fn.parent) &&
  fn.parent.arguments[2] === fn &&
  /(^|\.)withUserWriteLock$/.test(fn.parent.expression.getText());

/** Whether `node` writes consents, field values, or deletes a user. */
function isWrite(node: ts.Node): boolean {
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const method = node.expression.name.text;
    const model = node.expression.expression;
    if (ts.isPropertyAccessExpression(model)) {
      const name = model.name.text;
      if ((name === "consentState" || name === "userField") && WRITE_METHODS.has(method)) return true;
      if (name === "user" && DELETE_METHODS.has(method)) return true;
    }
  }
  if (ts.isCallExpression(node) && /(^|\.)insertMany$/.test(node.expression.getText())) {
    const table = node.arguments[1];
    if (table && ts.isStringLiteralLike(table) && /^(consent_states|user_fields)$/.test(table.text)) return true;
  }
  if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node))
    return RAW_WRITES.some((r) => r.test(node.text));
  return false;
}

/** Every write in the given sources, with the function it is in and whether that function holds the proof. */
function writesIn(sources: { file: string; text: string }[]): Hit[] {
  const hits: Hit[] = [];
  for (const { file, text } of sources) {
    const sf = ts.createSourceFile(
      file,
      text,
      ts.ScriptTarget.Latest,
      true,
      file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
    );
    const visit = (node: ts.Node) => {
      if (isWrite(node)) {
        const enclosing: FunctionLike[] = [];
        for (let p: ts.Node | undefined = node.parent; p; p = p.parent)
          if (
            ts.isFunctionDeclaration(p) ||
            ts.isFunctionExpression(p) ||
            ts.isArrowFunction(p) ||
            ts.isMethodDeclaration(p)
          )
            enclosing.push(p);
        const named = enclosing.find((f) => nameOf(f) !== null);
        const holder = enclosing.find((f) => takesProof(f) || isLockCallback(f));
        hits.push({
          where: `${file}:${named ? nameOf(named) : "(top level)"}`,
          line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1,
          holdsProof: holder !== undefined,
          separateUserId: holder
            ? holder.parameters
                .filter((p) => !takesProof({ parameters: [p] } as unknown as FunctionLike))
                .map((p) => p.name.getText())
                .filter((n) => USER_ID_PARAM.test(n))
            : [],
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return hits;
}

const files = ["lib", "app", "scripts", "components"].flatMap((d) => sourceFiles(join(ROOT, d)));
const read = (f: string) => ({ file: relative(ROOT, f), text: readFileSync(f, "utf8") });
const hits = writesIn(files.map(read));

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
      .filter((h) => !h.holdsProof && !(h.where in OUTSIDE_THE_LOCK))
      .map((h) => `${h.where} (line ${h.line})`);
    expect(bypasses).toEqual([]);
  });

  it("lists no exception that is no longer needed", () => {
    const places = new Set(hits.map((h) => h.where));
    expect(Object.keys(OUTSIDE_THE_LOCK).filter((w) => !places.has(w))).toEqual([]);
  });

  it("takes the user from the proof: no writer holding it also takes a user id of its own", () => {
    expect(hits.filter((h) => h.separateUserId.length > 0).map((h) => `${h.where}: ${h.separateUserId}`)).toEqual([]);
  });

  it("catches a writer that a line scan counted as part of the function above it", () => {
    const erase = read(join(ROOT, "lib/data/erase.ts"));
    const sneaky = [
      "export const sneakyErase = async (tx, userId) => tx.userField.deleteMany({ where: { userId } });",
      "export const sneakier = async (tx: Tx, userId: string) => {\n  await tx.$executeRawUnsafe(`DELETE FROM user_fields WHERE user_id = ${userId}`);\n};",
      "const inObject = { go: async (tx: Tx) => tx.consentState.update({ where: {}, data: {} }) };",
      "export async function twice(locked: LockedUser, userId: string) {\n  await locked.tx.userField.deleteMany({ where: { userId } });\n}",
    ].join("\n");
    const found = writesIn([{ file: erase.file, text: `${erase.text}\n${sneaky}\n` }]);
    const bypasses = found.filter((h) => !h.holdsProof && !(h.where in OUTSIDE_THE_LOCK)).map((h) => h.where);
    expect(bypasses).toEqual(["lib/data/erase.ts:sneakyErase", "lib/data/erase.ts:sneakier", "lib/data/erase.ts:go"]);
    expect(found.filter((h) => h.separateUserId.length > 0).map((h) => h.where)).toEqual(["lib/data/erase.ts:twice"]);
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
