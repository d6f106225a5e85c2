import { useTranslations } from "next-intl";
import type { Locale } from "@/lib/i18n/locales";
import { purposeText, type Purpose } from "@/lib/domain/purpose-text";

/** A retention period as the messages count it: whole years when it is one, days otherwise. */
export function retentionPeriod(days: number): { unit: "year" | "day"; count: number } {
  return days % 365 === 0 ? { unit: "year", count: days / 365 } : { unit: "day", count: days };
}

/**
 * Why, which fields, how long: the same words on the consent and the settings page (a server
 * component there, part of the consent form's client tree here; useTranslations works in both).
 * The purpose's own text comes from the catalogue in `locale`, the language the page was rendered in.
 */
export function PurposeDetails({ purpose, locale, idPrefix }: { purpose: Purpose; locale: Locale; idPrefix: string }) {
  const t = useTranslations("consent");
  const common = useTranslations("common");
  const text = purposeText(purpose, locale);
  const labels = purpose.fields.map((f) => common(`fields.${f}`)).join(t("details.separator"));
  const period = retentionPeriod(purpose.retentionDays);
  return (
    <div id={`${idPrefix}-${purpose.id}-details`}>
      <p>{text.justification}</p>
      <p className="muted">{t("details.ifRefused", { text: text.ifRefused })}</p>
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
