// The catalogue per language: versions, the upgrade from English-only, and the file's validation.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOCALES } from "../i18n/locales";
import {
  isCurrentDecision,
  loadCatalogueFile,
  purposeText,
  SHIPPED_CATALOGUE,
  SHIPPED_PURPOSES,
  versionOf,
  withVersion,
} from "./purposes";
import type { PurposeSpec } from "./purpose-text";

// The English versions of the shipped purposes before the catalogue had languages (full hashes; the
// version is the first 12 characters). Every decision made until then was made on these; if one
// changes, all those people are asked again.
const ENGLISH_VERSIONS_BEFORE_LANGUAGES = {
  account: "5697f86a6d982aa8b69c100092c529e4126a2c89f62cc2d257c9a3381a7e51b1",
  display_name: "e795cfd5f7c75787a7597b1b6692b310dc2ded0e2f0c093639b68b8c77320df4",
  username: "3d5cf73174f6c6a9d7d2638ebdbb03bee83058462ecb436ffec0b10c5c7857a0",
  profile_photo: "501a5a16674d19457024cef59cb996c86a04e9694ef4ec83cceff8513365c680",
  // As on main before this change, with the admin contact path's wording (decision 006 addendum).
  phone_contact: "15844c07ea34e4e5e63121d1b814b08879120c430afb1f315c4c0d855e64b831",
  phone_verification: "777d90bfc9212de8e7d56cc5e63e396ac790e5e50f698921749617ec07487b16",
};

const spec = (id: keyof typeof SHIPPED_PURPOSES) => SHIPPED_PURPOSES[id] as PurposeSpec;

function catalogueFile(entries: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "purposes-")), "purposes.json");
  writeFileSync(file, JSON.stringify(entries));
  return file;
}

/** The shipped catalogue in the file's per-language shape, with `change` applied to one entry. */
function shippedAsFile(change: (id: string, entry: Record<string, unknown>) => Record<string, unknown> = (_, e) => e) {
  return Object.entries(SHIPPED_PURPOSES).map(([id, p]) =>
    change(id, { id, ...p, fields: [...p.fields], texts: structuredClone(p.texts) }),
  );
}

describe("purpose versions per language", () => {
  it("keeps the English versions of the shipped purposes as they were before languages", () => {
    expect(Object.fromEntries(SHIPPED_CATALOGUE.map((p) => [p.id, versionOf(p, "en")!.textHash]))).toEqual(
      ENGLISH_VERSIONS_BEFORE_LANGUAGES,
    );
    for (const p of SHIPPED_CATALOGUE)
      expect(versionOf(p, "en")!.version).toBe(ENGLISH_VERSIONS_BEFORE_LANGUAGES[p.id as "account"].slice(0, 12));
  });

  it("ships every purpose in every language, each with its own version", () => {
    for (const p of SHIPPED_CATALOGUE) {
      const versions = LOCALES.map((l) => versionOf(p, l)?.version);
      expect(versions.every(Boolean)).toBe(true);
      expect(new Set(versions).size).toBe(LOCALES.length);
      for (const l of LOCALES) expect(purposeText(p, l).title.length).toBeGreaterThan(2);
    }
  });

  it("a change to the Russian text changes only ru's version; fields or retention change all", () => {
    const before = withVersion("display_name", spec("display_name"));
    const ruChanged = withVersion("display_name", {
      ...spec("display_name"),
      texts: { ...spec("display_name").texts, ru: { ...spec("display_name").texts.ru!, ifRefused: "Иначе." } },
    });
    for (const l of LOCALES)
      expect(versionOf(ruChanged, l)!.version === versionOf(before, l)!.version).toBe(l !== "ru");
    const retention = withVersion("display_name", { ...spec("display_name"), retentionDays: 30 });
    const fields = withVersion("display_name", { ...spec("display_name"), fields: ["first_name"] });
    for (const l of LOCALES) {
      expect(versionOf(retention, l)!.version).not.toBe(versionOf(before, l)!.version);
      expect(versionOf(fields, l)!.version).not.toBe(versionOf(before, l)!.version);
    }
  });

  it("the same words in two languages are two versions", () => {
    const en = spec("username").texts.en;
    const p = withVersion("username", { ...spec("username"), texts: { en, es: en } });
    expect(versionOf(p, "es")!.version).not.toBe(versionOf(p, "en")!.version);
  });

  it("a decision is current only on the version in force of the language it was made in", () => {
    const p = SHIPPED_CATALOGUE.find((x) => x.id === "display_name")!;
    const ru = versionOf(p, "ru")!.version;
    expect(isCurrentDecision(p, { locale: "ru", purposeVersion: ru })).toBe(true);
    expect(isCurrentDecision(p, { locale: "en", purposeVersion: ru })).toBe(false);
    expect(isCurrentDecision(p, { locale: "xx", purposeVersion: ru })).toBe(false);
  });
});

describe("PURPOSES_FILE", () => {
  it("reads the shipped catalogue in the per-language shape with the same versions", () => {
    const loaded = loadCatalogueFile(catalogueFile(shippedAsFile()), LOCALES);
    expect(loaded.map((p) => p.versions)).toEqual(SHIPPED_CATALOGUE.map((p) => p.versions));
  });

  it("still reads the flat English-only shape, with the English versions of before", () => {
    const flat = Object.entries(SHIPPED_PURPOSES).map(([id, p]) => ({
      id,
      ...p.texts.en,
      fields: [...p.fields],
      required: p.required,
      retentionDays: p.retentionDays,
      ...("oneTime" in p ? { oneTime: p.oneTime } : {}),
    }));
    const loaded = loadCatalogueFile(catalogueFile(flat), ["en"]);
    expect(Object.fromEntries(loaded.map((p) => [p.id, versionOf(p, "en")!.textHash]))).toEqual(
      ENGLISH_VERSIONS_BEFORE_LANGUAGES,
    );
    expect(loaded.every((p) => versionOf(p, "ru") === null)).toBe(true);
  });

  it("refuses a purpose without text in an offered language, naming the purpose and the language", () => {
    const file = catalogueFile(
      shippedAsFile((id, e) => {
        if (id === "username") delete (e.texts as Record<string, unknown>).ru;
        return e;
      }),
    );
    expect(() => loadCatalogueFile(file, ["en", "ru", "es", "fa"])).toThrow(
      'purpose "username" has no text in ru (LANGUAGES offers en, ru, es, fa)',
    );
    // Not offered, not needed.
    expect(() => loadCatalogueFile(file, ["en", "es", "fa"])).not.toThrow();
  });

  it("refuses the flat (English-only) shape when another language is offered", () => {
    const flat = [
      { id: "account", ...spec("account").texts.en, fields: ["telegram_id"], required: true, retentionDays: 30 },
    ];
    expect(() => loadCatalogueFile(catalogueFile(flat), ["en", "fa"])).toThrow(
      'purpose "account" has no text in fa (LANGUAGES offers en, fa)',
    );
  });

  it("refuses text in an unknown language, and a catalogue without English", () => {
    const unknown = shippedAsFile((id, e) =>
      id === "account" ? { ...e, texts: { ...(e.texts as object), de: spec("account").texts.en } } : e,
    );
    expect(() => loadCatalogueFile(catalogueFile(unknown), ["en"])).toThrow(
      'purpose "account" has text in an unknown language "de"',
    );
    const noEnglish = shippedAsFile((id, e) => {
      if (id === "profile_photo") delete (e.texts as Record<string, unknown>).en;
      return e;
    });
    expect(() => loadCatalogueFile(catalogueFile(noEnglish), ["en"])).toThrow(
      'purpose "profile_photo" has no text in en',
    );
  });

  it("refuses a text that is too short, naming the entry and language", () => {
    const bad = shippedAsFile((id, e) =>
      id === "username"
        ? { ...e, texts: { ...(e.texts as object), es: { ...spec("username").texts.es!, title: "x" } } }
        : e,
    );
    expect(() => loadCatalogueFile(catalogueFile(bad), LOCALES)).toThrow(/entry 2\.texts\.es\.title/);
  });
});
