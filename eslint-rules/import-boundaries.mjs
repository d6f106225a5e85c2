// The house's import boundaries, checked on every way a module can be named: static imports,
// dynamic import(), re-exports (export … from) and require(). @typescript-eslint/no-restricted-imports
// matches the specifier as written, so `@/lib/./data/erase`, `@/lib//data/users` and a dynamic
// import() walked around it (issue 25, item 6). This rule matches the normalised specifier (and, for
// a relative one, the path it resolves to inside the project), against a boundary table given as
// options in the same shape as that rule's `patterns`: { regex, message, importNames?,
// allowTypeImports? }. eslint.config.mjs gives it the table of each layer.
import path from "node:path";

const EXTENSION = /\.(ts|tsx|js|jsx|mjs|cjs)$/;

/** The specifier as a module name: no empty or "." segments, ".." folded, no file extension. */
export function normaliseSpecifier(spec) {
  const head = spec.split("?")[0].split("#")[0];
  const isRelative = head.startsWith("./") || head.startsWith("../") || head === "." || head === "..";
  let out = path.posix.normalize(head.replace(/\\/g, "/"));
  if (isRelative && !out.startsWith(".")) out = `./${out}`;
  return out
    .replace(/\/+$/, "")
    .replace(/\/index$/, "")
    .replace(EXTENSION, "");
}

/** The names a specifier is known by: normalised, and for a relative one its path from the project root. */
export function namesOf(spec, filename, root) {
  const normal = normaliseSpecifier(spec);
  const names = [normal];
  if (normal.startsWith(".") && filename && root) {
    const resolved = path
      .relative(root, path.resolve(path.dirname(filename), normal))
      .split(path.sep)
      .join("/");
    if (!resolved.startsWith("..")) names.push(resolved);
  }
  return names;
}

const schema = [
  {
    type: "object",
    properties: {
      patterns: {
        type: "array",
        items: {
          type: "object",
          properties: {
            regex: { type: "string" },
            message: { type: "string" },
            importNames: { type: "array", items: { type: "string" } },
            allowTypeImports: { type: "boolean" },
          },
          required: ["regex"],
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
];

/** @type {import("eslint").Rule.RuleModule} */
export const importBoundaries = {
  meta: {
    type: "problem",
    docs: { description: "Import boundaries on normalised specifiers, for static, dynamic and re-exported modules." },
    schema,
    messages: { restricted: "'{{spec}}': {{message}}" },
  },
  create(context) {
    const patterns = (context.options[0]?.patterns ?? []).map((p) => ({ ...p, re: new RegExp(p.regex) }));
    if (patterns.length === 0) return {};
    const filename = context.filename ?? context.getFilename();
    const root = context.cwd ?? process.cwd();

    /**
     * names: the imported names, or null when they cannot be known (a namespace, a dynamic import
     * not destructured); typeOnly: the whole import is erased at compile time.
     */
    function check(node, source, names, typeOnly) {
      if (!source || typeof source.value !== "string") return;
      const candidates = namesOf(source.value, filename, root);
      for (const p of patterns) {
        if (!candidates.some((c) => p.re.test(c))) continue;
        if (p.allowTypeImports && typeOnly) continue;
        if (p.importNames && names !== null && !names.some((n) => p.importNames.includes(n))) continue;
        context.report({
          node: source,
          messageId: "restricted",
          data: { spec: source.value, message: p.message ?? "This module is outside this layer's boundary." },
        });
        return;
      }
    }

    /** The names taken from `await import(x)` when its result is destructured right away. */
    function destructured(node) {
      let parent = node.parent;
      if (parent?.type === "AwaitExpression") parent = parent.parent;
      if (parent?.type === "VariableDeclarator" && parent.id.type === "ObjectPattern") {
        const keys = parent.id.properties.map((p) =>
          p.type === "Property" && p.key.type === "Identifier" ? p.key.name : null,
        );
        return keys.includes(null) ? null : keys;
      }
      return null;
    }

    return {
      ImportDeclaration(node) {
        const typeOnly =
          node.importKind === "type" ||
          (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === "type"));
        const names = node.specifiers.some((s) => s.type === "ImportNamespaceSpecifier")
          ? null
          : node.specifiers.map((s) =>
              s.type === "ImportDefaultSpecifier" ? "default" : (s.imported.name ?? s.imported.value),
            );
        check(node, node.source, names, typeOnly);
      },
      ExportNamedDeclaration(node) {
        if (!node.source) return;
        const typeOnly =
          node.exportKind === "type" ||
          (node.specifiers.length > 0 && node.specifiers.every((s) => s.exportKind === "type"));
        check(
          node,
          node.source,
          node.specifiers.map((s) => s.local.name ?? s.local.value),
          typeOnly,
        );
      },
      ExportAllDeclaration(node) {
        check(node, node.source, null, node.exportKind === "type");
      },
      ImportExpression(node) {
        if (node.source.type === "Literal") check(node, node.source, destructured(node), false);
        else if (node.source.type === "TemplateLiteral" && node.source.expressions.length === 0)
          check(node, { ...node.source, value: node.source.quasis[0].value.cooked }, destructured(node), false);
      },
      CallExpression(node) {
        if (
          node.callee.type === "Identifier" &&
          node.callee.name === "require" &&
          node.arguments[0]?.type === "Literal"
        )
          check(node, node.arguments[0], null, false);
      },
    };
  },
};

const plugin = { rules: { "import-boundaries": importBoundaries } };
export default plugin;
