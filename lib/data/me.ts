import "server-only";
// The shape of GET /api/me: purposes and the values stored under each. The settings page renders
// the same overview (getConsentOverview) directly, so both show the same state.
import type { FieldId } from "../domain/fields";
import type { Locale } from "../i18n/locales";
import { purposeText } from "../domain/purposes";
import { getConsentOverview, type PurposeView } from "./consents";
import type { UserKeyRow } from "./vault";

/** `locale`: the language the titles are given in (the request's). */
export async function describeMe(user: UserKeyRow & { lastSignInAt: Date }, locale: Locale) {
  const overview = await getConsentOverview(user);
  return {
    id: user.id,
    purposes: Object.fromEntries(
      overview.map((v) => [
        v.purpose.id,
        {
          title: purposeText(v.purpose, locale).title,
          required: v.purpose.required,
          granted: v.granted,
          decidedAt: v.decidedAt?.toISOString() ?? null,
          // The language and version of the text decided on; needsDecision when it is no longer in force.
          decidedOn: v.decidedOn,
          needsDecision: v.needsDecision,
          retentionDays: v.purpose.retentionDays,
          fields: Object.fromEntries(v.stored.map((f) => [f.field, f.value])),
          purgeAt: Object.fromEntries(v.stored.map((f) => [f.field, f.purgeAt.toISOString()])),
          ...(v.purpose.oneTime ? { outcomeAt: v.outcomeAt?.toISOString() ?? null } : {}),
        },
      ]),
    ),
  };
}

/** What the shipped purposes deliver on the person's own pages: the values granted purposes keep. */
export function profileFrom(overview: PurposeView[]) {
  const value = (field: FieldId) => overview.flatMap((v) => v.stored).find((f) => f.field === field)?.value ?? null;
  const name = [value("first_name"), value("last_name")].filter(Boolean).join(" ") || null;
  return { firstName: value("first_name"), name, username: value("username"), photoUrl: value("photo_url") };
}

/** "We keep 3 of 6 fields, for 2 purposes": fields stored now, of those the catalogue could keep. */
export function summaryOf(overview: PurposeView[]) {
  const possible = new Set(overview.filter((v) => !v.purpose.oneTime).flatMap((v) => v.purpose.fields));
  const kept = new Set(overview.flatMap((v) => v.stored.map((f) => f.field)));
  return {
    keptFields: kept.size,
    possibleFields: possible.size,
    // The purposes the kept fields are kept for: a granted purpose that stores nothing yet (a phone
    // purpose before the share, a one-time check) keeps no field, so it does not count here.
    purposesKeeping: overview.filter((v) => v.granted && v.stored.length > 0).length,
  };
}
