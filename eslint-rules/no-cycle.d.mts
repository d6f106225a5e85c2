// Types for tests/lint-boundaries.test.ts, which hands the rule to ESLint's Linter.
import type { ESLint, Rule } from "eslint";

export declare const noCycle: Rule.RuleModule;
declare const plugin: ESLint.Plugin;
export default plugin;
