import { FIELDS } from "@/lib/fields";
import type { Purpose } from "@/lib/purposes";

export function retentionText(days: number): string {
  if (days % 365 === 0) return `${days / 365} year${days === 365 ? "" : "s"}`;
  return `${days} days`;
}

/** Why, which fields, how long: the same words on the consent and the settings page. */
export function PurposeDetails({ purpose, idPrefix }: { purpose: Purpose; idPrefix: string }) {
  return (
    <div id={`${idPrefix}-${purpose.id}-details`}>
      <p>{purpose.justification}</p>
      <p className="muted">If you say no: {purpose.ifRefused}</p>
      <dl className="fields">
        <dt>Data</dt>
        <dd>{purpose.fields.map((f) => FIELDS[f].label).join(", ")}</dd>
        <dt>Kept for</dt>
        <dd>
          {purpose.required ? `${retentionText(purpose.retentionDays)} after your last sign-in` : `${retentionText(purpose.retentionDays)} after it was last refreshed, or until you withdraw`}
        </dd>
      </dl>
    </div>
  );
}
