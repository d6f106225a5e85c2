// ESLint: Next's and react-hooks' rules, typescript-eslint, and the house's boundaries (STYLE.md).
// Prettier owns layout (eslint-config-prettier turns off the rules it would fight with). `npm test`
// runs `npm run lint` first; an error here fails the test command.
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier/flat";

// Boundaries. Each is a set of import restrictions; a folder's config lists every set that applies to
// it, because a later flat-config entry replaces a rule's options instead of merging them.

/** The database: the Prisma clients, the adapters and lib/db.ts are for lib/data/ only. */
const DATABASE = [
  {
    regex: "(^|/)(lib/)?db$",
    message: "Only lib/data/ opens the database: call a use case in lib/data/ instead (STYLE.md, 'One data layer').",
  },
  {
    regex: "(^|/)prisma/generated/|^@prisma/(client|adapter-)",
    message: "Only lib/data/ (through lib/db.ts) uses the Prisma clients.",
  },
];

/** The drivers under Prisma: only the fast sign-in (lib/data/sign-in/) runs statements on them. */
const DRIVERS = [
  {
    regex: "^(better-sqlite3|pg)$",
    allowTypeImports: true,
    message:
      "Only lib/data/sign-in/ (and lib/db.ts, lib/migrate.ts) reach the drivers under Prisma (docs/decisions/009).",
  },
  {
    regex: "(^|/)(lib/)?db$",
    importNames: ["driver"],
    message: "Only lib/data/sign-in/ takes the driver under the Prisma client (docs/decisions/009).",
  },
];

/** app/ and components/ reach the data layer through its entry points only. */
const DATA_ENTRY_POINTS = ["consents", "export", "health", "me", "report"];
const DATA_INTERNALS = [
  {
    regex: `(^|/)lib/data/(?!(${DATA_ENTRY_POINTS.join("|")})$)`,
    message: `app/ and components/ use lib/data/ through its entry points only (${DATA_ENTRY_POINTS.map((e) => `lib/data/${e}`).join(", ")}), or through lib/.`,
  },
];

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
    settings: { "import/resolver": { typescript: { project: "./tsconfig.json" }, node: true } },
    rules: {
      "import/no-cycle": ["error", { ignoreExternal: true }],
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
  {
    files: ["lib/**", "scripts/**"],
    rules: { "@typescript-eslint/no-restricted-imports": restrict(DATABASE, DRIVERS) },
  },
  { files: ["lib/data/**"], rules: { "@typescript-eslint/no-restricted-imports": restrict(DRIVERS) } },
  {
    files: ["lib/data/sign-in/**", "lib/db.ts", "lib/migrate.ts"],
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
export default config;
