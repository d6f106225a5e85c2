import { useTranslations } from "next-intl";
import type { Purpose } from "@/lib/purposes";

/** A retention period as the messages count it: whole years when it is one, days otherwise. */
export function retentionPeriod(days: number): { unit: "year" | "day"; count: number } {
  return days % 365 === 0 ? { unit: "year", count: days / 365 } : { unit: "day", count: days };
}

/**
 * Why, which fields, how long: the same words on the consent and the settings page (a server
 * component there, part of the consent form's client tree here; useTranslations works in both).
 */
export function PurposeDetails({ purpose, idPrefix }: { purpose: Purpose; idPrefix: string }) {
  const t = useTranslations("consent");
  const common = useTranslations("common");
  const labels = purpose.fields.map((f) => common(`fields.${f}`)).join(t("details.separator"));
  const period = retentionPeriod(purpose.retentionDays);
  return (
    <div id={`${idPrefix}-${purpose.id}-details`}>
      <p>{purpose.justification}</p>
      <p className="muted">{t("details.ifRefused", { text: purpose.ifRefused })}</p>
      <dl className="fields">
        {/* A one-time purpose looks at its data once and keeps only when that happened. */}
        {purpose.oneTime ? (
          <>
            <dt>{t("details.looksAt")}</dt>
            <dd>{t("details.looksAtValue", { fields: labels })}</dd>
            <dt>{t("details.keeps")}</dt>
            <dd>{t("details.keepsValue")}</dd>
          </>
        ) : (
          <>
            <dt>{t("details.data")}</dt>
            <dd>{labels}</dd>
          </>
        )}
        <dt>{t("details.keptFor")}</dt>
        <dd>{t(purpose.required ? "details.keptForRequired" : "details.keptForOptional", period)}</dd>
      </dl>
    </div>
  );
}
