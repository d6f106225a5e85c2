import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { PrintButton } from "@/components/print-button";
import { consentReceipt } from "@/lib/data/export";
import { LOCALE_NAMES, textDirection } from "@/lib/i18n/locales";
import { currentLocale } from "@/lib/i18n/request-locale";
import { requireUser } from "@/lib/session";

export const metadata = { title: "Your consent receipt · Consent-first login" };

// The same receipt as GET /api/me/receipt (same function), laid out for reading and printing, in
// the language of the latest decision it records (the language the person last read our texts in),
// whatever the page's own language is now.
export default async function ReceiptPage() {
  const user = await requireUser();
  const receipt = await consentReceipt(user.id, await currentLocale());
  const controller = receipt.piiControllers[0]!;
  const locale = receipt.language;
  const t = await getTranslations({ locale, namespace: "records" });
  return (
    <div lang={locale} dir={textDirection(locale)}>
      <h1>Your consent receipt</h1>
      <p>
        What you agreed to, and with whom. The same receipt is in the{" "}
        <a href="/api/me/receipt" download>
          JSON download
        </a>{" "}
        ({receipt.version}).
      </p>
      <div className="row no-print">
        <PrintButton />
        <Link href="/settings">Back to your data</Link>
      </div>
      <section className="card" aria-labelledby="receipt-about">
        <h2 id="receipt-about">Receipt</h2>
        <dl className="fields">
          <dt>Receipt id</dt>
          <dd>{receipt.consentReceiptID}</dd>
          <dt>Last decision</dt>
          <dd>{new Date(receipt.consentTimestamp * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC</dd>
          <dt>Controller</dt>
          <dd>
            {controller.piiController}, contact {controller.contact}
          </dd>
          <dt>Privacy policy</dt>
          <dd>{receipt.policyUrl}</dd>
          <dt>Jurisdiction</dt>
          <dd>{receipt.jurisdiction}</dd>
          <dt>How</dt>
          <dd>{receipt.collectionMethod}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="receipt-purposes">
        <h2 id="receipt-purposes">Purposes you granted</h2>
        <ul>
          {receipt.services.flatMap((s) =>
            s.purposes.map((p) => (
              <li key={p.purposeId}>
                <strong>{p.purpose}</strong> (version {p.purposeVersion}), granted {p.grantedAt?.slice(0, 10) ?? "—"}:{" "}
                {p.piiCategory.join(", ")}. {p.termination}.{" "}
                <span data-testid={`receipt-decision-${p.purposeId}`}>
                  {t("receiptDecision.decidedOn", {
                    language: LOCALE_NAMES[p.language],
                    version: p.purposeVersion ?? "—",
                  })}{" "}
                  {p.text ? null : t("receiptDecision.earlierText", { hash: p.textHash ?? "—" })}
                </span>
              </li>
            )),
          )}
        </ul>
      </section>
    </div>
  );
}
