// The languages the product speaks. Adding one means: its messages under messages/<locale>/, its
// purpose texts in the shipped catalogue (lib/domain/purposes.ts), and its name below. Everything else
// (the switcher, Accept-Language matching, the catalogue check, the tests) reads this list.
export const LOCALES = ["en", "ru", "es", "fa"] as const;
export type Locale = (typeof LOCALES)[number];

/** The fallback for an unknown, malformed or disabled language: never an error. */
export const DEFAULT_LOCALE: Locale = "en";

/** Each language named in itself, as the switcher shows it. */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: "English",
  ru: "Русский",
  es: "Español",
  fa: "فارسی",
};

const RIGHT_TO_LEFT: ReadonlySet<Locale> = new Set<Locale>(["fa"]);

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

export function textDirection(locale: Locale): "ltr" | "rtl" {
  return RIGHT_TO_LEFT.has(locale) ? "rtl" : "ltr";
}
