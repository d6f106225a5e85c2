import { FIELDS } from "@/lib/fields";
import type { Locale } from "@/lib/i18n/locales";
import { purposeText, type Purpose } from "@/lib/purpose-text";

export function retentionText(days: number): string {
  if (days % 365 === 0) return `${days / 365} year${days === 365 ? "" : "s"}`;
  return `${days} days`;
}

/** Why, which fields, how long: the same words on the consent and the settings page. */
export function PurposeDetails({ purpose, locale, idPrefix }: { purpose: Purpose; locale: Locale; idPrefix: string }) {
  const text = purposeText(purpose, locale);
  const labels = purpose.fields.map((f) => FIELDS[f].label).join(", ");
  return (
    <div id={`${idPrefix}-${purpose.id}-details`}>
      <p>{text.justification}</p>
      <p className="muted">If you say no: {text.ifRefused}</p>
      <dl className="fields">
        {/* A one-time purpose looks at its data once and keeps only when that happened. */}
        {purpose.oneTime ? (
          <>
            <dt>Looks at</dt>
            <dd>{labels}, once, when you share it (not kept)</dd>
            <dt>Keeps</dt>
            <dd>the date of the check</dd>
          </>
        ) : (
          <>
            <dt>Data</dt>
            <dd>{labels}</dd>
          </>
        )}
        <dt>Kept for</dt>
        <dd>
          {purpose.required
            ? `${retentionText(purpose.retentionDays)} after your last sign-in`
            : `${retentionText(purpose.retentionDays)} after it was last refreshed, or until you withdraw`}
        </dd>
      </dl>
    </div>
  );
}
