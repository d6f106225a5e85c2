// "May this value be written, may it be kept": the two rules every writer of field values, the
// erasure of uncovered values, the retention purge and the contact lookup apply, so that they cannot
// drift apart.
// - Writing (and showing a value to someone other than its owner) needs a grant on the text now in
//   force, in the language it was given in: a person who has not read the new text has not agreed
//   to what it says.
// - Keeping a value already stored needs a grant on any version: after a text changes the person is
//   asked again, and the value waits for the answer instead of being erased behind their back.
// A one-time purpose never covers storing a value (it keeps only the outcome), so neither rule lets
// it keep one. lib/data/consent-check.ts re-states the keeping rule in SQL on purpose: it is the
// independent check of this module's callers, and sharing their code would share their bugs.
import { fieldsCoveredBy, purposeById } from "../domain/catalogue";
import type { FieldId } from "../domain/fields";
import { isCurrentDecision, type Purpose } from "../domain/purposes";

/** A decision as stored (consent_states): enough to apply either rule. */
export type ConsentStateRow = { purposeId: string; purposeVersion: string; locale: string; granted: boolean };

/** Write rule, for one purpose: granted, on the text now in force in the language it was decided in. */
export function allowsWriting(
  purpose: Purpose,
  state: Pick<ConsentStateRow, "granted" | "purposeVersion" | "locale"> | null | undefined,
): boolean {
  return state?.granted === true && isCurrentDecision(purpose, state);
}

/** Write rule, for a person's decisions: the fields a new value may be stored in. */
export function fieldsWritableUnder(states: readonly ConsentStateRow[]): Set<FieldId> {
  return fieldsCoveredBy(
    states
      .filter((s) => {
        const purpose = purposeById(s.purposeId);
        return purpose !== undefined && allowsWriting(purpose, s);
      })
      .map((s) => s.purposeId),
  );
}

/** Keep rule, for a person's decisions: the fields whose stored values may stay, on any version. */
export function fieldsKeptUnder(states: readonly Pick<ConsentStateRow, "purposeId" | "granted">[]): Set<FieldId> {
  return fieldsCoveredBy(states.filter((s) => s.granted).map((s) => s.purposeId));
}

/** The decisions either rule starts from (a Prisma filter on consent_states): granted ones. */
export function grantedStatesOf(userId: string) {
  return { userId, granted: true } as const;
}

/**
 * Keep rule as a Prisma filter on a user: they hold no grant of `purposeId` on any version, so that
 * purpose keeps none of their values (the purge's test, per purpose).
 */
export function keepsNothingUnder(purposeId: string) {
  return { consents: { none: { purposeId, granted: true } } } as const;
}
