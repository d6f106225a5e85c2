import "server-only";
// The shape of GET /api/me: purposes and the values stored under each. The settings page renders
// the same overview (getConsentOverview) directly, so both show the same state.
import { getConsentOverview } from "./consents";

export async function describeMe(userId: string) {
  const overview = await getConsentOverview(userId);
  return {
    id: userId,
    purposes: Object.fromEntries(
      overview.map((v) => [
        v.purpose.id,
        {
          title: v.purpose.title,
          required: v.purpose.required,
          granted: v.granted,
          decidedAt: v.decidedAt?.toISOString() ?? null,
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
