// The message files as flat maps, for the tests that compare them (lib/i18n/messages.test.ts) and
// the browser journeys that expect their texts on the page (e2e/languages.spec.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type MessageTree = { [key: string]: string | MessageTree };

const ROOT = join(import.meta.dirname, "..", "..", "messages");

/** Every message of a tree under its dotted path ("actions.granted"), each behind `prefix` if given. */
export function flattenMessages(tree: MessageTree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else for (const [k, v] of flattenMessages(value, path)) out.set(k, v);
  }
  return out;
}

/** One namespace of one language (messages/<locale>/<namespace>.json), flat, keys without the namespace. */
export function namespaceMessages(locale: string, namespace: string): Map<string, string> {
  return flattenMessages(JSON.parse(readFileSync(join(ROOT, locale, `${namespace}.json`), "utf8")) as MessageTree);
}

/** Every namespace of one language, flat, each key behind its namespace ("settings.actions.granted"). */
export function allMessages(locale: string, namespaces: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const ns of namespaces) for (const [k, v] of namespaceMessages(locale, ns)) out.set(`${ns}.${k}`, v);
  return out;
}
