// The catalogue in force: the operator's PURPOSES_FILE when set, else the shipped one. Read once.
import { env } from "../core/env";
import type { FieldId } from "./fields";
import { loadCatalogueFile, SHIPPED_CATALOGUE, type Purpose } from "./purposes";

let cached: readonly Purpose[] | undefined;

export function catalogue(): readonly Purpose[] {
  cached ??= env().purposesFile ? loadCatalogueFile(env().purposesFile!, env().languages) : SHIPPED_CATALOGUE;
  return cached;
}

export function purposeById(id: string): Purpose | undefined {
  return catalogue().find((p) => p.id === id);
}

export function accountPurpose(): Purpose {
  return catalogue().find((p) => p.required)!;
}

/**
 * Fields whose storage is covered by at least one of the given purpose ids. A one-time purpose
 * looks at its fields once and keeps only the outcome, so it never covers storing them.
 */
export function fieldsCoveredBy(purposeIds: Iterable<string>): Set<FieldId> {
  const covered = new Set<FieldId>();
  for (const id of purposeIds) {
    const purpose = purposeById(id);
    if (!purpose || purpose.oneTime) continue;
    for (const f of purpose.fields) covered.add(f);
  }
  return covered;
}

/** Purposes that may see a field (to store it, or once, to keep an outcome): e.g. who may ask for the phone. */
export function purposesUsing(field: FieldId): Purpose[] {
  return catalogue().filter((p) => p.fields.includes(field));
}
