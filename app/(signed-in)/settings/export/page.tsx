import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { FieldValue } from "@/components/field-value";
import { PrintButton } from "@/components/print-button";
import { readMyExport } from "@/lib/use-cases/account";
import { env } from "@/lib/core/env";
import { DEMO_PHONE_SOURCE, FIELDS, isFieldId } from "@/lib/domain/fields";
import { isLocale, textDirection } from "@/lib/i18n/locales";
import { currentLocale } from "@/lib/i18n/request-locale";
import { requireUser } from "@/lib/web/session";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("records.export");
  return { title: t("metaTitle") };
}

// Where each field comes from, as common.fieldSources names it for a person (the JSON keeps FIELDS' English).
const SOURCE_KEYS: Record<string, "telegram_login" | "telegram_phone" | "demo_phone"> = {
  [FIELDS.first_name.source]: "telegram_login",
  [FIELDS.phone_number.source]: "telegram_phone",
  [DEMO_PHONE_SOURCE]: "demo_phone",
};

// The same export as GET /api/me/export (the same data layer and audit record) without the list of
// events, which the page does not show and the JSON carries, laid out for reading and printing. The
// JSON keeps ISO dates and English keys; this page says them in the person's language.
export default async function ExportPage() {
  const user = await requireUser();
  const data = await readMyExport(user, await currentLocale());
  const [t, tr, tc, format] = await Promise.all([
    getTranslations("records.export"),
    getTranslations("records"),
    getTranslations("common"),
    getFormatter(),
  ]);
  const day = (iso: string) => format.dateTime(new Date(iso), { dateStyle: "long" });
  const timeTag = (iso: string) =>
    function DateTime(chunks: ReactNode) {
      return <time dateTime={iso}>{chunks}</time>;
    };
  // Isolated from the text around them: <bdi> for what may be in any script (a name, a contact), <ltr>
  // for what always reads left to right (a link, an algorithm, a version).
  const bdi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
  const ltr = (chunks: ReactNode) => <bdi dir="ltr">{chunks}</bdi>;
  // A purpose's words are in the language the person decided in, which may not be the page's: marked
  // as such, so a screen reader reads them in their own language.
  const inLanguage = (language: string, text: string) => (
    <span lang={language} dir={isLocale(language) ? textDirection(language) : undefined}>
      {text}
    </span>
  );
  const titleOf = new Map(data.purposes.map((p) => [p.id, inLanguage(p.language, p.title)]));
  const c = {
    ...data.controller,
    // The JSON keeps the placeholders in English; the page says them in the person's language.
    name: env().controller.nameSet ? data.controller.name : tc("controllerPlaceholder.name"),
    contact: env().controller.contactSet ? data.controller.contact : tc("controllerPlaceholder.contact"),
  };
  return (
    <>
      <h1>{t("heading")}</h1>
      <p>
        {t.rich("intro", {
          when: format.dateTime(new Date(data.exportedAt), { dateStyle: "long", timeStyle: "short" }),
          time: timeTag(data.exportedAt),
          link: (chunks) => (
            <a href="/api/me/export" download>
              {chunks}
            </a>
          ),
        })}
      </p>
      <div className="row no-print">
        <PrintButton />
        <Link href="/settings">{tr("back")}</Link>
      </div>
      <section className="card" aria-labelledby="copy-controller">
        <h2 id="copy-controller">{t("whoKeeps")}</h2>
        <p>
          {c.privacyPolicyUrl
            ? t.rich("controllerWithPolicy", {
                name: c.name,
                contact: c.contact,
                policy: c.privacyPolicyUrl,
                origin: c.origin,
                bdi,
                ltr,
              })
            : t.rich("controller", { name: c.name, contact: c.contact, origin: c.origin, bdi, ltr })}
        </p>
        <p>
          {t.rich("account", {
            createdAt: day(data.account.createdAt),
            created: timeTag(data.account.createdAt),
            lastSignInAt: day(data.account.lastSignInAt),
            lastSignIn: timeTag(data.account.lastSignInAt),
            algorithm: data.account.encryption.algorithm,
            ltr,
          })}
        </p>
      </section>
      {data.purposes.map((p) => (
        <section className="card" key={p.id} aria-labelledby={`copy-p-${p.id}`}>
          <h2 id={`copy-p-${p.id}`}>
            {inLanguage(p.language, p.title)}{" "}
            <span className="tag">
              {!p.granted
                ? t("notGranted")
                : p.decidedAt
                  ? t.rich("granted", { date: day(p.decidedAt), time: timeTag(p.decidedAt) })
                  : t("grantedUndated")}
            </span>
          </h2>
          <p lang={p.language} dir={isLocale(p.language) ? textDirection(p.language) : undefined}>
            {p.justification}
          </p>
          {"outcomeAt" in p && (
            <p>
              {p.outcomeAt ? t.rich("checkedOn", { date: day(p.outcomeAt), time: timeTag(p.outcomeAt) }) : t("noCheck")}
            </p>
          )}
          {"outcomeAt" in p ? null : Object.keys(p.stored).length ? (
            <dl className="fields">
              {Object.entries(p.stored).map(([field, f]) => {
                const source = SOURCE_KEYS[f.source];
                return (
                  <div key={field} className="contents" data-testid={`copy-${field}`}>
                    <dt>{isFieldId(field) ? tc(`fields.${field}`) : f.label}</dt>
                    <dd>
                      {f.value !== null && isFieldId(field) ? (
                        <FieldValue field={field} value={f.value} />
                      ) : (
                        (f.value ?? t("undecryptable"))
                      )}{" "}
                      <span className="muted">
                        {t.rich("storedDetail", {
                          source: source ? tc(`fieldSources.${source}`) : f.source,
                          storedAt: day(f.storedAt),
                          stored: timeTag(f.storedAt),
                          purgeAt: day(f.purgeAt),
                          purge: timeTag(f.purgeAt),
                        })}
                      </span>
                    </dd>
                  </div>
                );
              })}
            </dl>
          ) : (
            <p>{t("nothingStored")}</p>
          )}
        </section>
      ))}
      <section className="card" aria-labelledby="copy-history">
        <h2 id="copy-history">{t("history.heading")}</h2>
        {/* Scrolls on its own if it is still wider than a phone, so the page never does. */}
        <div className="table-scroll" role="region" aria-labelledby="copy-history-caption" tabIndex={0}>
          <table className="history">
            <caption id="copy-history-caption" className="muted">
              {t("history.caption")}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t("history.when")}</th>
                <th scope="col">{t("history.purpose")}</th>
                <th scope="col">{t("history.decision")}</th>
                <th scope="col">{t("history.how")}</th>
              </tr>
            </thead>
            <tbody>
              {data.consentHistory.map((r) => (
                <tr key={r.seq}>
                  <td>
                    <time dateTime={r.at}>
                      {format.dateTime(new Date(r.at), { dateStyle: "medium", timeStyle: "medium" })}
                    </time>
                  </td>
                  <td>
                    {titleOf.get(r.purposeId) ?? <bdi dir="ltr">{r.purposeId}</bdi>}{" "}
                    <span className="muted">
                      (<bdi dir="ltr">{r.purposeVersion}</bdi>, <bdi dir="ltr">{r.language}</bdi>)
                    </span>
                  </td>
                  <td>{t("history.decisionValue", { decision: r.decision })}</td>
                  <td>{t("history.methodValue", { method: r.method })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
