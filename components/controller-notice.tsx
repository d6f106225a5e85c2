import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { env } from "@/lib/core/env";
import { OwnRecordsNotice } from "./own-records-notice";

/** Who is asking and how to reach them (GDPR Art. 13(1)(a)), wherever consent is asked or shown. */
export async function ControllerNotice() {
  const c = env().controller;
  const [t, tc] = await Promise.all([getTranslations("consent"), getTranslations("common")]);
  const name = c.nameSet ? c.name : tc("controllerPlaceholder.name");
  const contact = c.contactSet ? c.contact : tc("controllerPlaceholder.contact");
  // The operator's name and contact keep their own direction inside a right-to-left page.
  const bdi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
  // What we log ourselves goes with who is asking: both are said wherever consent is.
  return (
    <>
      <section className="card controller" aria-labelledby="who-is-asking">
        <h2 id="who-is-asking">{t("controller.heading")}</h2>
        <p>
          {t.rich("controller.who", { name, strong: (chunks) => <strong>{bdi(chunks)}</strong> })}{" "}
          {c.contactHref
            ? t.rich("controller.contactLink", {
                contact,
                link: (chunks) => (
                  <a href={c.contactHref!}>
                    <bdi>{chunks}</bdi>
                  </a>
                ),
              })
            : t.rich("controller.contact", { contact, bdi })}{" "}
          {c.privacyPolicyUrl ? (
            <a href={c.privacyPolicyUrl}>{t("controller.policyLink")}</a>
          ) : (
            t.rich("controller.noPolicy", { ltr: (chunks) => <bdi dir="ltr">{chunks}</bdi> })
          )}
        </p>
        {c.placeholder && <p className="muted">{t("controller.placeholder")}</p>}
      </section>
      <OwnRecordsNotice />
    </>
  );
}
