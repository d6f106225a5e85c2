import { getTranslations } from "next-intl/server";
import { recordRetentions, type OwnRecord } from "@/lib/domain/retention";

const KEYS: Record<OwnRecord, string> = {
  audit_events: "auditEvents",
  contact_lookups: "contactLookups",
  sessions: "sessions",
  used_login_payloads: "usedPayloads",
  pending_sign_ins: "pendingSignIns",
};

/**
 * What we log about people besides the values they agree to, and for how long (lib/domain/retention.ts,
 * the same figures the purge deletes by): wherever consent is asked or shown.
 */
export async function OwnRecordsNotice() {
  const t = await getTranslations("consent.ownRecords");
  return (
    <section className="card" aria-labelledby="own-records" data-testid="own-records">
      <h2 id="own-records">{t("heading")}</h2>
      <p>{t("intro")}</p>
      <ul>
        {recordRetentions().map((r) => (
          <li key={r.record}>
            {t(`items.${KEYS[r.record]}`, { duration: t(`units.${r.unit}`, { amount: r.amount }) })}
          </li>
        ))}
      </ul>
    </section>
  );
}
