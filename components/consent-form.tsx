"use client";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { ActionState } from "@/lib/web/action-result";
import type { FieldId } from "@/lib/domain/fields";
import type { Locale } from "@/lib/i18n/locales";
import { purposeText, type Purpose } from "@/lib/domain/purpose-text";
import { ProfilePhoto } from "./profile-photo";
import { PurposeDetails } from "./purpose-details";
import { SubmitButton } from "./submit-button";

/** The exact values a purpose would keep, from what Telegram just sent (null: not a first sign-in). */
function SentValues({
  purpose,
  values,
  photoSrc,
}: {
  purpose: Purpose;
  values: Partial<Record<FieldId, string>>;
  photoSrc?: string | null;
}) {
  const t = useTranslations("consent");
  if (purpose.fields.includes("phone_number")) return <p className="muted">{t("sent.phone")}</p>;
  const present = purpose.fields.filter((f) => values[f]);
  // The message words the missing field as a person calls it ("Telegram sent no username").
  if (present.length === 0) return <p className="notice">{t("sent.nothing", { field: purpose.fields[0]! })}</p>;
  const name = [values.first_name, values.last_name].filter(Boolean).join(" ");
  return (
    <div className="sent">
      <span className="muted">{t("sent.keepLabel")} </span>
      {present.includes("photo_url") ? (
        <ProfilePhoto src={photoSrc ?? values.photo_url!} link={values.photo_url!} alt={t("sent.photoAlt")} size={48} />
      ) : null}
      {/* Names, @usernames and ids keep their own direction inside a right-to-left page. */}
      {present.some((f) => f === "first_name" || f === "last_name") && (
        <strong>
          <bdi>{name}</bdi>
        </strong>
      )}
      {present.includes("username") && (
        <strong>
          <bdi>@{values.username}</bdi>
        </strong>
      )}
      {present.includes("telegram_id") && (
        <strong>
          <bdi>{values.telegram_id}</bdi>
        </strong>
      )}
    </div>
  );
}

/**
 * `locale` is the language the texts are shown in: the form posts it, so the record says what was
 * read even if the language is switched in another tab before the form is sent.
 */
export function ConsentForm({
  purposes,
  values,
  photoSrc,
  locale,
  action,
}: {
  purposes: { purpose: Purpose; checked: boolean; changed: boolean }[];
  locale: Locale;
  values: Partial<Record<FieldId, string>> | null;
  /** Where the photo's picture loads from (the demo's own copy), when not the sent link itself. */
  photoSrc?: string | null;
  action: (prev: ActionState, form: FormData) => Promise<ActionState>;
}) {
  const t = useTranslations("consent");
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} aria-describedby={state && !state.ok ? "consent-error" : undefined}>
      <input type="hidden" name="locale" value={locale} />
      <fieldset>
        <legend className="muted">{t("form.legend")}</legend>
        {purposes.map(({ purpose, checked, changed }) => {
          // Nothing to keep: offered as a choice it would only look as if it mattered. Its box stays
          // off, so the purpose is recorded as refused; it can be granted later on the settings page.
          const nothingSent =
            values !== null &&
            !purpose.required &&
            !purpose.fields.includes("phone_number") &&
            !purpose.fields.some((f) => values[f]);
          return (
            <div className="card" key={purpose.id} data-testid={`consent-${purpose.id}`}>
              <input type="hidden" name="shown" value={purpose.id} />
              <div className="choice">
                <input
                  type="checkbox"
                  id={`purpose-${purpose.id}`}
                  name={`purpose:${purpose.id}`}
                  defaultChecked={purpose.required || (checked && !nothingSent)}
                  disabled={purpose.required || nothingSent}
                  aria-describedby={`consent-${purpose.id}-details`}
                />
                <div>
                  <label htmlFor={`purpose-${purpose.id}`}>
                    <strong>{purposeText(purpose, locale).title}</strong>
                  </label>
                  {purpose.required ? (
                    <span className="tag required">{t("form.required")}</span>
                  ) : (
                    <span className="tag">{t("form.optional")}</span>
                  )}
                  {changed && <span className="tag">{t("form.textChanged")}</span>}
                  {values && <SentValues purpose={purpose} values={values} photoSrc={photoSrc} />}
                  <PurposeDetails purpose={purpose} locale={locale} idPrefix="consent" />
                </div>
              </div>
            </div>
          );
        })}
      </fieldset>
      {state && !state.ok && (
        <p id="consent-error" className="notice error" role="alert">
          {state.message}
        </p>
      )}
      <SubmitButton pendingLabel={t("form.saving")}>{t("form.save")}</SubmitButton>
    </form>
  );
}
