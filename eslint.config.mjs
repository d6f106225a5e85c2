// ESLint: Next's and react-hooks' rules, typescript-eslint, and the house's boundaries (docs/STYLE.md).
// Prettier owns layout (eslint-config-prettier turns off the rules it would fight with). `npm test`
// runs `npm run lint` first; an error here fails the test command.
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier/flat";
import house from "./eslint-rules/import-boundaries.mjs";
import houseCycles from "./eslint-rules/no-cycle.mjs";

// Boundaries. Each is a set of import restrictions; a folder's config lists every set that applies to
// it, because a later flat-config entry replaces a rule's options instead of merging them.

/** The database: the Prisma clients, the adapters and lib/data/db.ts are for lib/data/ only. */
const DATABASE = [
  {
    regex: "(^|/)data/db$",
    message:
      "Only lib/data/ opens the database: call a use case in lib/data/ instead (docs/STYLE.md, 'One data layer').",
  },
  {
    regex: "(^|/)prisma/generated/|^@prisma/(client|adapter-)",
    message: "Only lib/data/ (through lib/data/db.ts) uses the Prisma clients.",
  },
];

/**
 * The drivers under Prisma: only the fast sign-in (lib/data/sign-in/), the SQLite group commit
 * (lib/data/group-commit.ts) and the signed-in pages' reads (lib/data/direct-read.ts) run statements
 * on them.
 */
const DRIVERS = [
  {
    regex: "^(better-sqlite3|pg)$",
    allowTypeImports: true,
    message:
      "Only lib/data/sign-in/, group-commit.ts and direct-read.ts (and lib/data/db.ts, lib/data/migrate.ts) reach the drivers under Prisma (docs/decisions/009).",
  },
  {
    regex: "(^|/)db$",
    importNames: ["driver"],
    message:
      "Only lib/data/sign-in/, group-commit.ts and direct-read.ts take the driver under the Prisma client (docs/decisions/009).",
  },
];

/** app/ and components/ reach the data layer through its entry points only. */
const DATA_ENTRY_POINTS = ["consents", "export", "health", "me", "rate-limit", "report"];
const DATA_INTERNALS = [
  {
    regex: `(^|/)lib/data/(?!(${DATA_ENTRY_POINTS.join("|")})$)`,
    message: `app/ and components/ use lib/data/ through its entry points only (${DATA_ENTRY_POINTS.map((e) => `lib/data/${e}`).join(", ")}), or through lib/.`,
  },
];

/**
 * The layers of lib/, lowest first (docs/STYLE.md, "The layers of lib/"): each may import the ones
 * before it and none after it, except that core and i18n stand side by side (the environment parses
 * LANGUAGES; the language cookie reads the environment). `types` are layers it may name types from
 * (the data layer stores what a Telegram adapter parsed), never code.
 */
const LAYERS = [
  {
    dir: "core",
    holds: "environment, logs, the demo personas env.ts names",
    bans: ["domain", "telegram", "data", "web", "demo", "use-cases"],
  },
  {
    dir: "crypto",
    holds: "encryption, blind indexes, sealing (pure)",
    bans: ["core", "i18n", "domain", "telegram", "data", "web", "demo", "use-cases"],
  },
  { dir: "i18n", holds: "languages and messages", bans: ["domain", "telegram", "data", "web", "demo", "use-cases"] },
  {
    dir: "domain",
    holds: "purposes, fields, phone and reference rules",
    bans: ["telegram", "data", "web", "demo", "use-cases"],
  },
  { dir: "telegram", holds: "Telegram adapters, no database", bans: ["data", "web", "demo", "use-cases"] },
  {
    dir: "data",
    holds: "the database and the rate-limit store",
    bans: ["web", "demo", "use-cases"],
    types: ["telegram"],
  },
  { dir: "web", holds: "sessions, cookies, route and action plumbing", bans: ["demo", "use-cases"] },
  { dir: "demo", holds: "demo mode", bans: ["use-cases"] },
  { dir: "use-cases", holds: "what a person or an operator does", bans: [] },
];

/** A layer may not import the layers above it: `@/lib/x/…` or a relative `../x/…`. */
const above = ({ dir, bans, types = [] }) =>
  bans.map((ban) => ({
    regex: `^(@/lib/|(\\.\\./)+)${ban}(/|$)`,
    ...(types.includes(ban) ? { allowTypeImports: true } : {}),
    message: `lib/${dir}/ is below lib/${ban}/: it may not import it (docs/STYLE.md, "The layers of lib/").`,
  }));

const restrict = (...sets) => ["error", { patterns: sets.flat() }];

const config = [
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      "prisma/generated/**",
      "data/**",
      "test-results/**",
      "playwright-report/**",
      ".test-runs/**",
      ".security-figures/**",
      "next-env.d.ts",
      "bench/peers/**",
      // Telegram's own script, copied byte for byte (scripts/telegram-web-app.mjs).
      "public/telegram-web-app.js",
    ],
  },
  ...nextVitals,
  ...nextTs,
  prettier,
  {
    plugins: { "house-cycles": houseCycles },
    rules: {
      // eslint-rules/no-cycle.mjs: import/no-cycle's check, without its cost (it was 90% of lint's time).
      "house-cycles/no-cycle": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  // Layer by layer, most specific last.
  {
    files: ["app/**", "components/**", "proxy.ts", "instrumentation.ts"],
    rules: { "@typescript-eslint/no-restricted-imports": restrict(DATABASE, DRIVERS, DATA_INTERNALS) },
  },
  { files: ["scripts/**"], rules: { "@typescript-eslint/no-restricted-imports": restrict(DATABASE, DRIVERS) } },
  // One row per layer of lib/: the database is the data layer's alone, and no layer reaches up.
  ...LAYERS.map((layer) => ({
    files: [`lib/${layer.dir}/**`],
    rules: {
      "@typescript-eslint/no-restricted-imports": restrict(layer.dir === "data" ? [] : DATABASE, DRIVERS, above(layer)),
    },
  })),
  {
    files: [
      "lib/data/sign-in/**",
      "lib/data/group-commit.ts",
      "lib/data/direct-read.ts",
      "lib/data/db.ts",
      "lib/data/migrate.ts",
    ],
    rules: { "@typescript-eslint/no-restricted-imports": "off" },
  },
  // Tests and benchmarks inspect the database and the drivers directly: they check what is on disk.
  {
    files: ["tests/**", "e2e/**", "**/*.test.ts", "scripts/bench/**"],
    rules: { "@typescript-eslint/no-restricted-imports": "off" },
  },
  // Playwright's fixtures call a function named `use`, which is not React's hook.
  { files: ["e2e/**", "tests/**"], rules: { "react-hooks/rules-of-hooks": "off" } },
];

// The same boundaries on normalised specifiers, dynamic import() and re-exports
// (eslint-rules/import-boundaries.mjs): every row that sets the import restrictions gets the house
// rule with the same table, so the rows stay the one place a boundary is written.
const RESTRICTED = "@typescript-eslint/no-restricted-imports";
const withHouseRule = config.map((row) => {
  const setting = row.rules?.[RESTRICTED];
  if (setting === undefined) return row;
  return { ...row, plugins: { ...row.plugins, house }, rules: { ...row.rules, "house/import-boundaries": setting } };
});
export default withHouseRule;
