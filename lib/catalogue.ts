// The catalogue in force: the operator's PURPOSES_FILE when set, else the shipped one. Read once.
import { env } from "./env";
import type { FieldId } from "./fields";
import { loadCatalogueFile, SHIPPED_CATALOGUE, type Purpose } from "./purposes";

let cached: readonly Purpose[] | undefined;

export function catalogue(): readonly Purpose[] {
  cached ??= env().purposesFile ? loadCatalogueFile(env().purposesFile!) : SHIPPED_CATALOGUE;
  return cached;
}

export function purposeById(id: string): Purpose | undefined {
  return catalogue().find((p) => p.id === id);
}

export function accountPurpose(): Purpose {
  return catalogue().find((p) => p.required)!;
}

/** Fields covered by at least one of the given purpose ids. */
export function fieldsCoveredBy(purposeIds: Iterable<string>): Set<FieldId> {
  const covered = new Set<FieldId>();
  for (const id of purposeIds) for (const f of purposeById(id)?.fields ?? []) covered.add(f);
  return covered;
}
