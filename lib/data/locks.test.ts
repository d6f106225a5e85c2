// The sign-in's optimistic path on PostgreSQL (lib/data/sign-in/direct.ts) trusts that whatever
// changes a user's consents or field values, or deletes the user, has first written the user row, so
// that the row version it read the consents with moves. withUserWriteLock (lib/data/locks.ts) is the
// one way to do that, and its proof carries its user: the writes themselves are the proof's methods,
// each bound to the user whose row it locked. This test reads the source's syntax tree and fails on
// any write to those rows outside those methods (so code holding user A's lock cannot write user B
// through the transaction the proof also carries), unless it is one of the few listed below with the
// reason it is safe.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import type { Tx } from "./db";
import { withUserWriteLock } from "./locks";

const ROOT = join(__dirname, "..", "..");

/** Writes that go around withUserWriteLock on purpose: file:function → why that is safe. */
const OUTSIDE_THE_LOCK: Record<string, string> = {
  "lib/data/sign-in/direct.ts:signInOnSqlite":
    "the sign-in itself: its first write locks the user row (lockUserSql), before it reads consents",
  "lib/data/sign-in/direct.ts:writeStatement":
    "the sign-in itself: every part of the statement is guarded by the CTE that locked the user row",
  "lib/data/field-statement.ts:fieldUpsertStatement":
    "builds the statement text only; the callers it may have are FIELD_STATEMENT_CALLERS below",
  "lib/data/purge.ts:purgeField":
    "deletes values past retention, re-checked by the DELETE itself; it changes no consent, so a sign-in's plan stays right (a value it writes again restarts its retention)",
  "lib/data/seed.ts:insertSyntheticPeople":
    "writes only synthetic people it creates in the same transaction: no sign-in can have read them",
  "lib/data/seed.ts:copySyntheticPeople":
    "grows a benchmark database before it serves anyone, with people it creates in the same statements",
};

/** Where the field statement's text may be run: the proof's method and the sign-in's locked statements. */
const FIELD_STATEMENT_CALLERS = [
  "lib/data/locks.ts:upsertFields",
  "lib/data/sign-in/direct.ts:signInOnSqlite",
  "lib/data/sign-in/direct.ts:writeStatement",
];

// Found on the syntax tree (the TypeScript compiler's parser), not by line patterns: issue 25,
// item 6 added `export const sneakyErase = async (tx, userId) => tx.userField.deleteMany(…)` after
// a function that holds the proof, and the line scan counted it as part of that function.
const WRITE_METHODS = new Set([
  "create",
  "createMany",
  "createManyAndReturn",
  "update",
  "updateMany",
  "updateManyAndReturn",
  "upsert",
  "delete",
  "deleteMany",
]);
/** The user's own rows that the proof's methods write; a user row is policed for deletion only. */
const POLICED_MODELS = new Set(["consentState", "userField", "purposeOutcome"]);
const DELETE_METHODS = new Set(["delete", "deleteMany"]);
const RAW_WRITES = [
  /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(consent_states|user_fields|purpose_outcomes)\b/i,
  /\bDELETE\s+FROM\s+"?users\b/i,
];
/** A user id given to one of the proof's methods: it would name its user twice, and could name another. */
const USER_ID_PARAM = /^(id|userId|subjectId|personId|user_id|other|who)$/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith(".") ? [] : sourceFiles(path);
    return /\.(ts|tsx|mjs)$/.test(e.name) && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

type Hit = { where: string; line: number; holdsProof: boolean };

type FunctionLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

/** The name a function is known by: its own, or the variable or property it is assigned to. */
function nameOf(fn: FunctionLike): string | null {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name) return fn.name.getText();
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText();
  return null;
}

/** The function in lib/data/locks.ts that builds the proof: its methods are the only writers. */
const isProofFactory = (fn: FunctionLike, file: string) =>
  file === "lib/data/locks.ts" && ts.isFunctionDeclaration(fn) && fn.name?.text === "proofFor";

/** Whether `node` writes consents, field values, or deletes a user. */
function isWrite(node: ts.Node): boolean {
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const method = node.expression.name.text;
    const model = node.expression.expression;
    if (ts.isPropertyAccessExpression(model)) {
      const name = model.name.text;
      if (POLICED_MODELS.has(name) && WRITE_METHODS.has(method)) return true;
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

const isFunctionLike = (p: ts.Node): p is FunctionLike =>
  ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isArrowFunction(p) || ts.isMethodDeclaration(p);

function parse(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
}

/** The functions around `node`, innermost first, and the name of the innermost named one. */
function placeOf(file: string, node: ts.Node): { enclosing: FunctionLike[]; where: string } {
  const enclosing: FunctionLike[] = [];
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) if (isFunctionLike(p)) enclosing.push(p);
  const named = enclosing.find((f) => nameOf(f) !== null);
  return { enclosing, where: `${file}:${named ? nameOf(named) : "(top level)"}` };
}

/** Every write in the given sources, with the function it is in and whether it is one of the proof's methods. */
function writesIn(sources: { file: string; text: string }[]): Hit[] {
  const hits: Hit[] = [];
  for (const { file, text } of sources) {
    const sf = parse(file, text);
    const visit = (node: ts.Node) => {
      if (isWrite(node)) {
        const { enclosing, where } = placeOf(file, node);
        hits.push({
          where,
          line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1,
          holdsProof: enclosing.some((f) => isProofFactory(f, file)),
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return hits;
}

/** Where each call of the named function is, as file:enclosing function. */
function callersOf(sources: { file: string; text: string }[], callee: string): string[] {
  const places: string[] = [];
  for (const { file, text } of sources) {
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && node.expression.getText().split(".").pop() === callee)
        places.push(placeOf(file, node).where);
      ts.forEachChild(node, visit);
    };
    visit(parse(file, text));
  }
  return places;
}

/** The parameters of the proof's methods, as method: names. */
function proofMethodParameters(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const visit = (node: ts.Node) => {
    if (
      ts.isMethodDeclaration(node) &&
      placeOf("lib/data/locks.ts", node).enclosing.some((f) => isProofFactory(f, "lib/data/locks.ts"))
    )
      out[node.name.getText()] = node.parameters.map((p) => p.name.getText());
    ts.forEachChild(node, visit);
  };
  visit(parse("lib/data/locks.ts", text));
  return out;
}

const files = ["lib", "app", "scripts", "components"].flatMap((d) => sourceFiles(join(ROOT, d)));
const read = (f: string) => ({ file: relative(ROOT, f), text: readFileSync(f, "utf8") });
const hits = writesIn(files.map(read));

describe("every writer of consents, field values or user deletion goes through withUserWriteLock's proof", () => {
  it("finds the writers it is meant to police (the scan itself works)", () => {
    const places = new Set(hits.map((h) => h.where));
    for (const known of [
      "lib/data/locks.ts:setConsent",
      "lib/data/locks.ts:recordOutcome",
      "lib/data/locks.ts:deleteOutcomes",
      "lib/data/locks.ts:deleteFields",
      "lib/data/locks.ts:setFieldIndexes",
      "lib/data/locks.ts:deleteUser",
      "lib/data/purge.ts:purgeField",
    ])
      expect(places).toContain(known);
  });

  it("has no write outside the proof's methods, except the listed ones", () => {
    const bypasses = hits
      .filter((h) => !h.holdsProof && !(h.where in OUTSIDE_THE_LOCK))
      .map((h) => `${h.where} (line ${h.line})`);
    expect(bypasses).toEqual([]);
  });

  it("lists no exception that is no longer needed", () => {
    const places = new Set(hits.map((h) => h.where));
    expect(Object.keys(OUTSIDE_THE_LOCK).filter((w) => !places.has(w))).toEqual([]);
  });

  it("takes the user from the proof: none of its methods takes a user id", () => {
    const methods = proofMethodParameters(readFileSync(join(ROOT, "lib/data/locks.ts"), "utf8"));
    expect(Object.keys(methods).length).toBeGreaterThanOrEqual(8);
    expect(Object.entries(methods).filter(([, params]) => params.some((p) => USER_ID_PARAM.test(p)))).toEqual([]);
  });

  it("runs the field statement's text only where the user's row is locked", () => {
    expect([...new Set(callersOf(files.map(read), "fieldUpsertStatement"))].sort()).toEqual(FIELD_STATEMENT_CALLERS);
  });

  it("binds every method of the proof to the locked user (a transaction that records what it is asked)", async () => {
    const calls: { model: string; method: string; args: unknown }[] = [];
    const model = (name: string) =>
      new Proxy(
        {},
        {
          get: (_t, method: string) => async (args: unknown) => {
            calls.push({ model: name, method, args });
            return method === "updateMany" || method === "deleteMany" ? { count: 1 } : {};
          },
        },
      );
    const tx = new Proxy(
      {},
      {
        get: (_t, prop: string) =>
          prop === "$queryRawUnsafe"
            ? async (_sql: string, ...params: unknown[]) => {
                calls.push({ model: "sql", method: "query", args: params });
                return [];
              }
            : model(prop),
      },
    ) as unknown as Tx;
    await withUserWriteLock(tx, "user-a", async (a) => {
      await a.setConsent("p", { granted: true, purposeVersion: "1", locale: "en", decidedAt: new Date(0) });
      await a.recordOutcome("p", new Date(0));
      await a.deleteOutcomes(["p"]);
      await a.upsertFields([{ field: "first_name", ciphertext: Buffer.from("x"), index: null }], new Date(0));
      await a.deleteFields(["first_name"]);
      await a.setFieldIndexes("first_name", { blindIndex: "i" });
      await a.setUserIndex("t", "k");
      await a.deleteUser();
    });
    // Every write names user-a, and only user-a, wherever its statement carries a user.
    const named = (args: unknown) => JSON.stringify(args).match(/user-[a-z]/g) ?? [];
    expect(calls.length).toBe(9);
    for (const c of calls) expect({ ...c, users: [...new Set(named(c.args))] }).toMatchObject({ users: ["user-a"] });
  });

  it("catches a writer that a line scan counted as part of the function above it", () => {
    const erase = read(join(ROOT, "lib/data/erase.ts"));
    const sneaky = [
      "export const sneakyErase = async (tx, userId) => tx.userField.deleteMany({ where: { userId } });",
      "export const sneakier = async (tx: Tx, userId: string) => {\n  await tx.$executeRawUnsafe(`DELETE FROM user_fields WHERE user_id = ${userId}`);\n};",
      "const inObject = { go: async (tx: Tx) => tx.consentState.update({ where: {}, data: {} }) };",
      "export async function twice(locked: LockedUser, userId: string) {\n  await locked.tx.userField.deleteMany({ where: { userId } });\n}",
      // Issue 25, item 6: holding user A's proof, writing user B through the transaction it carries.
      "export async function crossWrite(locked: LockedUser, other: string) {\n  await locked.tx.userField.deleteMany({ where: { userId: other } });\n}",
      "export const inCallback = (tx: Tx, b: string) => withUserWriteLock(tx, 'a', ({ tx: t }) => t.consentState.deleteMany({ where: { userId: b } }));",
      "const raw = (tx: Tx, b: string) => queryRows(tx, fieldUpsertStatement(b, [], new Date()).sql);",
    ].join("\n");
    const sources = [{ file: erase.file, text: `${erase.text}\n${sneaky}\n` }];
    const bypasses = writesIn(sources)
      .filter((h) => !h.holdsProof && !(h.where in OUTSIDE_THE_LOCK))
      .map((h) => h.where);
    expect(bypasses).toEqual([
      "lib/data/erase.ts:sneakyErase",
      "lib/data/erase.ts:sneakier",
      "lib/data/erase.ts:go",
      "lib/data/erase.ts:twice",
      "lib/data/erase.ts:crossWrite",
      "lib/data/erase.ts:inCallback",
    ]);
    expect(callersOf(sources, "fieldUpsertStatement")).toEqual(["lib/data/erase.ts:raw"]);
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
    expect(exported).toEqual(["ConsentStateWrite", "LockedUser", "lockLedger", "withUserWriteLock"]);
  });
});
