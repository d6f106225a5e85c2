// No import cycles among the project's own modules. It replaces import/no-cycle, which spent about
// 115 of lint's 127 seconds here (TIMING=8 npx eslint .) resolving every import through the
// TypeScript resolver once per file and path. This rule reads each project file once per ESLint
// process with TypeScript's parser, keeps the graph, and asks for each import of the file being
// linted whether it leads back to that file. Counted as import/no-cycle counts them: static imports,
// re-exports, dynamic import() and require() of a literal; type-only imports and exports are erased
// at compile time and do not count. Packages (anything not "./", "../" or "@/") are outside the graph.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const EXTENSIONS = [".ts", ".tsx", ".mts", ".mjs", ".js", ".jsx"];

const resolved = new Map();

/** The project file a specifier names, or null for a package or a file that does not exist. */
export function resolveSpecifier(spec, fromFile, root) {
  const key = `${path.dirname(fromFile)}\0${spec}`;
  if (!resolved.has(key)) resolved.set(key, resolveUncached(spec, fromFile, root));
  return resolved.get(key);
}

function resolveUncached(spec, fromFile, root) {
  let base;
  if (spec.startsWith("@/")) base = path.join(root, spec.slice(2));
  else if (spec.startsWith("./") || spec.startsWith("../") || spec === "." || spec === "..")
    base = path.resolve(path.dirname(fromFile), spec);
  else return null;
  base = base.split("?")[0];
  const candidates = [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, `index${e}`))];
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      // not this one
    }
  }
  return null;
}

const typeOnlyImport = (node) => {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return (
    !clause.name &&
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
};

const typeOnlyExport = (node) =>
  node.isTypeOnly ||
  (node.exportClause !== undefined &&
    ts.isNamedExports(node.exportClause) &&
    node.exportClause.elements.length > 0 &&
    node.exportClause.elements.every((e) => e.isTypeOnly));

/** The specifiers of a file's imports that exist at run time. */
export function runtimeSpecifiers(file, text) {
  const sf = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    false,
    file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const out = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      if (!typeOnlyImport(node) && ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
      return;
    }
    if (ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier && !typeOnlyExport(node) && ts.isStringLiteral(node.moduleSpecifier))
        out.push(node.moduleSpecifier.text);
      return;
    }
    if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
      if ((isImport || isRequire) && arg && ts.isStringLiteralLike(arg)) out.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** One graph per ESLint process: file → the project files it imports at run time. */
const graph = new Map();

function depsOf(file, root) {
  let deps = graph.get(file);
  if (deps) return deps;
  deps = [];
  graph.set(file, deps);
  if (existsSync(file)) {
    for (const spec of runtimeSpecifiers(file, readFileSync(file, "utf8"))) {
      const target = resolveSpecifier(spec, file, root);
      if (target && !target.includes(`${path.sep}node_modules${path.sep}`)) deps.push(target);
    }
  }
  return deps;
}

/** A path from `start` back to `goal` (start first), or null. Breadth first: the shortest. */
function pathBack(start, goal, root) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const at = queue.shift();
    for (const next of depsOf(at, root)) {
      if (next === goal) {
        const chain = [at];
        for (let p = previous.get(at); p; p = previous.get(p)) chain.unshift(p);
        return chain;
      }
      if (!previous.has(next)) {
        previous.set(next, at);
        queue.push(next);
      }
    }
  }
  return null;
}

/** @type {import("eslint").Rule.RuleModule} */
export const noCycle = {
  meta: {
    type: "problem",
    docs: { description: "No import cycle among the project's own modules (run-time imports only)." },
    schema: [],
    messages: { cycle: "Dependency cycle: {{chain}}" },
  },
  create(context) {
    const filename = path.resolve(context.filename ?? context.getFilename());
    const root = context.cwd ?? process.cwd();
    const rel = (f) => path.relative(root, f).split(path.sep).join("/");
    let specifiers = new Set();
    const reported = new Set();
    const check = (node) => {
      const spec = node.value;
      if (typeof spec !== "string" || !specifiers.has(spec) || reported.has(spec)) return;
      const target = resolveSpecifier(spec, filename, root);
      if (!target) return;
      const chain = target === filename ? [] : pathBack(target, filename, root);
      if (chain === null) return;
      reported.add(spec);
      context.report({
        node,
        messageId: "cycle",
        data: { chain: [filename, ...chain, filename].map(rel).join(" → ") },
      });
    };
    return {
      Program() {
        // This file's own imports come from the text being linted, which may not be on disk yet.
        const text = (context.sourceCode ?? context.getSourceCode()).text;
        specifiers = new Set(runtimeSpecifiers(filename, text));
        graph.set(
          filename,
          [...specifiers].map((s) => resolveSpecifier(s, filename, root)).filter((t) => t !== null),
        );
      },
      ImportDeclaration(node) {
        if (node.importKind !== "type") check(node.source);
      },
      ExportNamedDeclaration(node) {
        if (node.source && node.exportKind !== "type") check(node.source);
      },
      ExportAllDeclaration(node) {
        if (node.exportKind !== "type") check(node.source);
      },
      ImportExpression(node) {
        if (node.source.type === "Literal") check(node.source);
      },
      CallExpression(node) {
        if (
          node.callee.type === "Identifier" &&
          node.callee.name === "require" &&
          node.arguments[0]?.type === "Literal"
        )
          check(node.arguments[0]);
      },
    };
  },
};

const plugin = { rules: { "no-cycle": noCycle } };
export default plugin;
