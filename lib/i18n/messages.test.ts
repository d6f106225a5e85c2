// Every language has every message, no more, with the same placeholders: a missing key would show
// the key's name to a person, an extra one is a translation nobody reads, and a placeholder that
// differs ({days} in English, {dias} in Spanish) would print a raw brace or lose the value.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { namespaceMessages } from "../../tests/support/messages";
import { LOCALES, DEFAULT_LOCALE } from "./locales";
import { CLIENT_MESSAGES, clientMessages, NAMESPACES } from "./namespaces";
import { fromAcceptLanguage, negotiateLocale, offeredLocale } from "./negotiate";

const root = join(import.meta.dirname, "../../messages");

/** The argument names a message uses, and their kind (a plural's count is not a plain string). */
export function placeholders(message: string): string[] {
  const found = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const e of elements) {
      if (e.type === TYPE.argument) found.add(`${e.value}`);
      else if (e.type === TYPE.number || e.type === TYPE.date || e.type === TYPE.time)
        found.add(`${e.value}:${TYPE[e.type]}`);
      else if (e.type === TYPE.plural) {
        found.add(`${e.value}:plural`);
        for (const option of Object.values(e.options)) walk(option.value);
      } else if (e.type === TYPE.select) {
        found.add(`${e.value}:select`);
        for (const option of Object.values(e.options)) walk(option.value);
      } else if (e.type === TYPE.tag) {
        found.add(`<${e.value}>`);
        walk(e.children);
      }
    }
  };
  walk(parse(message));
  return [...found].sort();
}

const messages = namespaceMessages;

describe("message files", () => {
  it("exist for exactly the namespaces and languages in the code", () => {
    expect(readdirSync(root).sort()).toEqual([...LOCALES].sort());
    for (const locale of LOCALES) {
      expect(readdirSync(join(root, locale)).sort()).toEqual(NAMESPACES.map((ns) => `${ns}.json`).sort());
    }
  });

  for (const ns of NAMESPACES) {
    for (const locale of LOCALES.filter((l) => l !== DEFAULT_LOCALE)) {
      it(`${locale}/${ns}: same keys and placeholders as English`, () => {
        const english = messages(DEFAULT_LOCALE, ns);
        const other = messages(locale, ns);
        expect(
          [...other.keys()].filter((k) => !english.has(k)),
          "keys English does not have",
        ).toEqual([]);
        expect(
          [...english.keys()].filter((k) => !other.has(k)),
          "keys missing",
        ).toEqual([]);
        for (const [key, text] of english) {
          expect(placeholders(other.get(key)!), `${locale}/${ns}: ${key}`).toEqual(placeholders(text));
        }
      });
    }
  }

  it("are all valid ICU messages, none empty", () => {
    for (const locale of LOCALES) {
      for (const ns of NAMESPACES) {
        for (const [key, text] of messages(locale, ns)) {
          expect(text.trim(), `${locale}/${ns}: ${key}`).not.toBe("");
          expect(() => parse(text), `${locale}/${ns}: ${key}`).not.toThrow();
        }
      }
    }
  });

  it("the placeholder check itself sees a renamed or dropped argument", () => {
    expect(placeholders("{n, plural, one {# day} other {# days}} for {name}")).toEqual(["n:plural", "name"]);
    expect(placeholders("{n, plural, one {# día} other {# días}} para {nombre}")).not.toEqual(
      placeholders("{n, plural, one {# day} other {# days}} for {name}"),
    );
    expect(placeholders("<link>policy</link>")).toEqual(["<link>"]);
  });
});

describe("messages sent to the browser", () => {
  // A client component whose namespace is not sent would show the key's name in place of the text.
  // Client code: every "use client" file, and every component file one of them imports.
  const sourceRoot = join(import.meta.dirname, "../..");
  const files = (dir: string): string[] =>
    readdirSync(join(sourceRoot, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
    );
  const source = (file: string) => readFileSync(join(sourceRoot, file), "utf8");
  const clientFiles = (): string[] => {
    const all = [...files("app"), ...files("components")];
    const client = new Set(all.filter((f) => /^["']use client["']/m.test(source(f))));
    for (const file of [...client]) {
      for (const [, alias, relative] of source(file).matchAll(/from "(?:@\/(components\/[^"]+)|\.\/([^"]+))"/g)) {
        const imported = alias ?? join(dirname(file), relative!);
        const found = all.find((f) => f === `${imported}.tsx` || f === `${imported}.ts`);
        if (found) client.add(found);
      }
    }
    return [...client];
  };

  it("include every namespace a client component reads", () => {
    const files = clientFiles();
    expect(files).toContain("components/purpose-details.tsx");
    const used = new Set(
      files.flatMap((f) => [...source(f).matchAll(/useTranslations\("([a-zA-Z.]+)/g)].map((m) => m[1]!)),
    );
    expect(used.size).toBeGreaterThan(2);
    const sent = (ns: string) => CLIENT_MESSAGES.some((path) => ns === path || ns.startsWith(`${path}.`));
    expect([...used].filter((ns) => !sent(ns))).toEqual([]);
  });

  it("are exactly the listed parts, in every language", () => {
    for (const locale of LOCALES) {
      const all = Object.fromEntries(
        NAMESPACES.map((ns) => [ns, JSON.parse(readFileSync(join(root, locale, `${ns}.json`), "utf8"))]),
      );
      const picked = clientMessages(all);
      expect(Object.keys(picked).sort()).toEqual([...new Set(CLIENT_MESSAGES.map((p) => p.split(".")[0]))].sort());
      expect(picked.settings).toEqual({ phoneShare: all.settings.phoneShare });
      expect(JSON.stringify(picked)).not.toContain(all.settings.contact.noLookups);
    }
  });
});

describe("choosing the language", () => {
  const all = LOCALES;
  it("takes the person's choice, then Accept-Language, then English", () => {
    expect(negotiateLocale({ cookie: "fa", acceptLanguage: "ru" }, all)).toBe("fa");
    expect(negotiateLocale({ cookie: null, acceptLanguage: "ru-RU,ru;q=0.9,en;q=0.8" }, all)).toBe("ru");
    expect(negotiateLocale({ acceptLanguage: "de-DE,es;q=0.5" }, all)).toBe("es");
    expect(negotiateLocale({}, all)).toBe("en");
  });

  it("falls back to English, without an error, on anything unknown or malformed", () => {
    for (const header of ["***", "x;q=abc", ";;;", "de", "zh-Hant-TW", "a".repeat(5000), "é, ü;q=1", "ru;q=0"]) {
      expect(negotiateLocale({ acceptLanguage: header }, all), header).toBe("en");
    }
    for (const cookie of ["xx", "", "../../etc/passwd", "RU-ru-extra-long-garbage-".repeat(5), "null"]) {
      expect(negotiateLocale({ cookie }, all), cookie).toBe("en");
    }
  });

  it("offers only the languages LANGUAGES enables", () => {
    expect(offeredLocale("ru", ["en", "es"])).toBeNull();
    expect(negotiateLocale({ cookie: "ru", acceptLanguage: "ru" }, ["en", "es"])).toBe("en");
    expect(fromAcceptLanguage("fa-IR", ["en", "fa"])).toBe("fa");
  });
});
