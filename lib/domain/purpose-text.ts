// What a purpose says, per language, and which version of it a decision was made on. Free of
// Node's modules (the catalogue itself, lib/domain/purposes.ts, hashes and reads files), so client
// components (the consent form) can show a purpose's text.
import type { FieldId } from "./fields";
import { isLocale, type Locale } from "../i18n/locales";

/** What a person reads about a purpose, in one language. */
export type PurposeText = {
  title: string;
  justification: string;
  /** What happens if the user says no. */
  ifRefused: string;
};

/** English is always there: it is the fallback language and the one every older decision was made on. */
export type PurposeTexts = { en: PurposeText } & Partial<Record<Locale, PurposeText>>;

export type PurposeSpec = {
  texts: PurposeTexts;
  fields: readonly FieldId[];
  required: boolean;
  /** Days a value is kept after it was last refreshed by a sign-in (or, for `account`, after the last sign-in). */
  retentionDays: number;
  /** One-time purposes keep only the outcome (when it happened), never the data. */
  oneTime?: boolean;
};

/** The version of one language's text: what a decision in that language is recorded against. */
export type TextVersion = {
  /** Short version; changes whenever that language's wording, or the fields or retention, change. */
  version: string;
  /** Full SHA-256 of the canonical text, recorded in the ledger. */
  textHash: string;
};

export type Purpose = Omit<PurposeSpec, "texts" | "fields"> & {
  id: string;
  fields: readonly FieldId[];
  texts: PurposeTexts;
  /** One version per language that has a text. */
  versions: Partial<Record<Locale, TextVersion>>;
};

/**
 * A purpose's text in a language. A language without text (possible only for one not offered, as
 * validation requires every offered one) reads English, the product's fallback.
 */
export function purposeText(p: Purpose, locale: Locale): PurposeText {
  return p.texts[locale] ?? p.texts.en;
}

/** The version in force for a language, or null when the purpose has no text in it (nobody can decide on that). */
export function versionOf(p: Purpose, locale: Locale): TextVersion | null {
  return p.versions[locale] ?? null;
}

/**
 * Is a decision current? Only when it was made on the text now in force in the language it was made
 * in: a change to the Russian text re-asks those who read Russian, nobody else.
 */
export function isCurrentDecision(p: Purpose, state: { purposeVersion: string; locale: string }): boolean {
  return isLocale(state.locale) && p.versions[state.locale]?.version === state.purposeVersion;
}
