// The purpose catalogue. Each purpose says why it wants which fields, for how long, and whether the
// account cannot exist without it, in every language the product speaks (plain language is the
// legal point: GDPR Art. 7(2)). Its version is derived per language from that language's text and
// the language-independent parts (fields, required, retention, one-time), so a change of wording in
// one language asks again only those who decided on that language's text, and a change of fields or
// retention asks everyone.
//
// The shipped catalogue is a typed constant, with its prose in four languages, in its own file
// (purpose-catalogue.ts), so this one holds only the rules every catalogue obeys. Operators replace it with PURPOSES_FILE (JSON, same
// shape, or the older flat English-only shape), validated at start: a bad entry stops the app with
// a message naming the entry, and a purpose without text in an offered language names both.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { FIELD_IDS, type FieldId } from "./fields";
import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from "../i18n/locales";
import { SHIPPED_PURPOSES } from "./purpose-catalogue";
import type { Purpose, PurposeSpec, PurposeText, PurposeTexts, TextVersion } from "./purpose-text";
export { SHIPPED_PURPOSES };

export {
  isCurrentDecision,
  purposeText,
  versionOf,
  type Purpose,
  type PurposeText,
  type PurposeTexts,
  type TextVersion,
} from "./purpose-text";

const TextEntry = z.strictObject({
  title: z.string().min(3).max(120),
  justification: z.string().min(10).max(2000),
  ifRefused: z.string().min(3).max(1000),
});
const Common = {
  id: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, "id must be lowercase letters, digits and _"),
  fields: z.array(z.enum(FIELD_IDS as [FieldId, ...FieldId[]])).min(1),
  required: z.boolean(),
  retentionDays: z.number().int().min(1).max(3650),
  oneTime: z.boolean().optional(),
};
// `texts` keys are checked by hand below, so that the message names the purpose and the language.
const PerLanguageEntry = z.strictObject({ ...Common, texts: z.record(z.string(), TextEntry) });
// The shape before languages (title, justification, ifRefused at the top): English only.
const FlatEntry = z.strictObject({ ...Common, ...TextEntry.shape });
const PurposeFile = z.array(z.union([PerLanguageEntry, FlatEntry])).min(1);

/**
 * What a version covers. English keeps the exact form used before there were languages, so every
 * decision made then (all of them in English) stays current; any other language appends its code,
 * so the same words in two languages never share a version.
 */
export function canonicalText(id: string, p: Omit<PurposeSpec, "texts">, locale: Locale, text: PurposeText): string {
  return JSON.stringify([
    id,
    text.title,
    text.justification,
    text.ifRefused,
    [...p.fields],
    p.required,
    p.retentionDays,
    p.oneTime ?? false,
    ...(locale === DEFAULT_LOCALE ? [] : [locale]),
  ]);
}

export function withVersion(id: string, p: PurposeSpec): Purpose {
  const versions: Partial<Record<Locale, TextVersion>> = {};
  for (const locale of LOCALES) {
    const text = p.texts[locale];
    if (!text) continue;
    const textHash = createHash("sha256")
      .update(canonicalText(id, p, locale, text))
      .digest("hex");
    versions[locale] = { textHash, version: textHash.slice(0, 12) };
  }
  return { ...p, texts: { ...p.texts }, fields: [...p.fields], id, versions };
}

export class CatalogueError extends Error {
  override name = "CatalogueError";
}

/**
 * Checks the rules every catalogue must satisfy, whoever wrote it. `languages` are the offered ones
 * (LANGUAGES): each purpose needs its text in every one of them.
 */
export function validateCatalogue(
  purposes: readonly Purpose[],
  languages: readonly Locale[] = LOCALES,
): readonly Purpose[] {
  const ids = new Set<string>();
  for (const p of purposes) {
    if (ids.has(p.id)) throw new CatalogueError(`purpose "${p.id}" appears twice`);
    ids.add(p.id);
    for (const locale of languages)
      if (!p.texts[locale])
        throw new CatalogueError(
          `purpose "${p.id}" has no text in ${locale} (LANGUAGES offers ${languages.join(", ")})`,
        );
  }
  const account = purposes.filter((p) => p.required);
  if (account.length !== 1 || !account[0]!.fields.includes("telegram_id") || account[0]!.fields.length !== 1) {
    throw new CatalogueError(
      "exactly one purpose must be required, and it must cover only telegram_id (the account needs nothing else)",
    );
  }
  if (purposes.some((p) => !p.required && p.fields.includes("telegram_id"))) {
    throw new CatalogueError("telegram_id belongs to the required account purpose only");
  }
  return purposes;
}

type ParsedEntry = z.infer<typeof PurposeFile>[number];

function specOf(entry: ParsedEntry): { id: string; spec: PurposeSpec } {
  const { id, fields, required, retentionDays, oneTime } = entry;
  const common = { fields, required, retentionDays, ...(oneTime === undefined ? {} : { oneTime }) };
  if (!("texts" in entry)) {
    const { title, justification, ifRefused } = entry;
    return { id, spec: { ...common, texts: { en: { title, justification, ifRefused } } } };
  }
  const texts: Partial<Record<Locale, PurposeText>> = {};
  for (const [key, text] of Object.entries(entry.texts)) {
    if (!isLocale(key))
      throw new CatalogueError(
        `purpose "${id}" has text in an unknown language "${key.slice(0, 20)}" (known: ${LOCALES.join(", ")})`,
      );
    texts[key] = text;
  }
  if (!texts.en) throw new CatalogueError(`purpose "${id}" has no text in en (English is always offered)`);
  return { id, spec: { ...common, texts: texts as PurposeTexts } };
}

export function loadCatalogueFile(path: string, languages: readonly Locale[] = [DEFAULT_LOCALE]): readonly Purpose[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new CatalogueError(`PURPOSES_FILE ${path}: cannot read JSON (${(e as Error).message})`);
  }
  const parsed = PurposeFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CatalogueError(`PURPOSES_FILE ${path}: entry ${issue.path.join(".")}: ${issue.message}`);
  }
  try {
    return validateCatalogue(
      parsed.data.map((entry) => {
        const { id, spec } = specOf(entry);
        return withVersion(id, spec);
      }),
      languages,
    );
  } catch (e) {
    throw new CatalogueError(`PURPOSES_FILE ${path}: ${(e as Error).message}`);
  }
}

export const SHIPPED_CATALOGUE: readonly Purpose[] = validateCatalogue(
  Object.entries(SHIPPED_PURPOSES).map(([id, spec]) => withVersion(id, spec as PurposeSpec)),
);
