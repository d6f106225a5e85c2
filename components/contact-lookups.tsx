// The person's side of the contact path (lib/use-cases/contact.ts): the reference they quote to support, and
// every lookup of their number by an admin, with its date and reason, in the page's language.
import { getFormatter, getTranslations } from "next-intl/server";
import type { ContactReason } from "@/lib/domain/contact-reasons";

export type ContactLookupItem = { at: Date; reason: ContactReason | "other" };

export async function AccountReference({ reference }: { reference: string }) {
  const t = await getTranslations("settings.contact");
  return (
    <p data-testid="account-reference">
      {t.rich("reference", {
        reference,
        ref: (chunks) => (
          <strong className="nowrap" dir="ltr">
            {chunks}
          </strong>
        ),
      })}
    </p>
  );
}

export async function ContactLookups({ lookups }: { lookups: ContactLookupItem[] }) {
  const t = await getTranslations("settings.contact");
  const format = await getFormatter();
  return (
    <div data-testid="contact-lookups">
      <h3 className="muted">{t("lookupsHeading")}</h3>
      {lookups.length === 0 ? (
        <p>{t("noLookups")}</p>
      ) : (
        <ul>
          {lookups.map((l, i) => (
            <li key={`${l.at.toISOString()}-${i}`}>
              <time dateTime={l.at.toISOString()}>
                {t("lookup", {
                  when: format.dateTime(l.at, { dateStyle: "long", timeStyle: "short" }),
                  reason: t(`reasons.${l.reason}`),
                })}
              </time>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
