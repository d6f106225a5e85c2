// The two rules on the shipped catalogue: a grant on an older text keeps a value but lets no new
// one be written; a refusal or a one-time purpose does neither.
import { describe, expect, it, vi } from "vitest";
import { SHIPPED_CATALOGUE } from "../domain/purposes";

// The catalogue in force is the shipped one; reading it must not need a configured environment.
vi.mock("../domain/catalogue", async () => {
  const actual = await vi.importActual<typeof import("../domain/catalogue")>("../domain/catalogue");
  return { ...actual, catalogue: () => SHIPPED_CATALOGUE };
});

const { allowsWriting, fieldsKeptUnder, fieldsWritableUnder, keepsNothingUnder } = await import("./storage-rule");

const purpose = (id: string) => SHIPPED_CATALOGUE.find((p) => p.id === id)!;
const lasting = SHIPPED_CATALOGUE.find((p) => !p.required && !p.oneTime && p.fields.includes("first_name"))!;
const oneTime = SHIPPED_CATALOGUE.find((p) => p.oneTime)!;
const current = (id: string, granted = true) => ({
  purposeId: id,
  purposeVersion: purpose(id).versions.en!.version,
  locale: "en",
  granted,
});
const older = (id: string) => ({ ...current(id), purposeVersion: "000000000000" });

describe("the storage rule", () => {
  it("writes under a grant on the current text, in the language it was given in", () => {
    expect(allowsWriting(lasting, current(lasting.id))).toBe(true);
    expect(allowsWriting(lasting, older(lasting.id))).toBe(false);
    expect(allowsWriting(lasting, { ...current(lasting.id), locale: "ru" })).toBe(false);
    expect(allowsWriting(lasting, current(lasting.id, false))).toBe(false);
    expect(allowsWriting(lasting, null)).toBe(false);
    expect(fieldsWritableUnder([current(lasting.id)])).toEqual(new Set(lasting.fields));
    expect(fieldsWritableUnder([older(lasting.id)])).toEqual(new Set());
  });

  it("keeps under a grant on any version, never under a refusal", () => {
    expect(fieldsKeptUnder([older(lasting.id)])).toEqual(new Set(lasting.fields));
    expect(fieldsKeptUnder([current(lasting.id, false)])).toEqual(new Set());
  });

  it("lets a one-time purpose neither write nor keep a value", () => {
    expect(fieldsWritableUnder([current(oneTime.id)])).toEqual(new Set());
    expect(fieldsKeptUnder([current(oneTime.id)])).toEqual(new Set());
  });

  it("says the keep rule to Prisma as 'no grant of this purpose, on any version'", () => {
    expect(keepsNothingUnder(lasting.id)).toEqual({ consents: { none: { purposeId: lasting.id, granted: true } } });
  });
});
