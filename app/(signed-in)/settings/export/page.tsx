import Link from "next/link";
import { PrintButton } from "@/components/print-button";
import { exportMyData } from "@/lib/account";
import { currentLocale } from "@/lib/i18n/request-locale";
import { requireUser } from "@/lib/session";

export const metadata = { title: "Your data, readable · Consent-first login" };

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "never");

// The same export as GET /api/me/export (same function, same audit record), laid out for reading
// and printing.
export default async function ExportPage() {
  const user = await requireUser();
  const data = await exportMyData(user.id, await currentLocale());
  return (
    <>
      <h1>Your data: a readable copy</h1>
      <p>
        Everything we keep about you, as of {data.exportedAt.slice(0, 16).replace("T", " ")} UTC. The same data is in
        the{" "}
        <a href="/api/me/export" download>
          JSON download
        </a>
        .
      </p>
      <div className="row no-print">
        <PrintButton />
        <Link href="/settings">Back to your data</Link>
      </div>
      <section className="card" aria-labelledby="copy-controller">
        <h2 id="copy-controller">Who keeps it</h2>
        <p>
          {data.controller.name}, contact {data.controller.contact}
          {data.controller.privacyPolicyUrl ? <>, privacy policy {data.controller.privacyPolicyUrl}</> : null}. Site:{" "}
          {data.controller.origin}.
        </p>
        <p>
          Account created {day(data.account.createdAt)}, last sign-in {day(data.account.lastSignInAt)}. Values are
          encrypted with {data.account.encryption.algorithm}.
        </p>
      </section>
      {data.purposes.map((p) => (
        <section className="card" key={p.id} aria-labelledby={`copy-p-${p.id}`}>
          <h2 id={`copy-p-${p.id}`}>
            {p.title} <span className="tag">{p.granted ? `granted ${day(p.decidedAt)}` : "not granted"}</span>
          </h2>
          <p>{p.justification}</p>
          {"outcomeAt" in p && (
            <p>{p.outcomeAt ? `Checked on ${day(p.outcomeAt)}; nothing else is kept.` : "No check recorded."}</p>
          )}
          {Object.keys(p.stored).length ? (
            <dl className="fields">
              {Object.entries(p.stored).map(([field, f]) => (
                <div key={field} className="contents" data-testid={`copy-${field}`}>
                  <dt>{f.label}</dt>
                  <dd>
                    {f.value ?? "can no longer be decrypted"}{" "}
                    <span className="muted">
                      (from {f.source}; stored {day(f.storedAt)}, deleted on {day(f.purgeAt)} unless refreshed)
                    </span>
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <p>Nothing stored under this purpose.</p>
          )}
        </section>
      ))}
      <section className="card" aria-labelledby="copy-history">
        <h2 id="copy-history">Consent history</h2>
        <table>
          <caption className="muted">Every decision, oldest first (purpose text version in brackets)</caption>
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">Purpose</th>
              <th scope="col">Decision</th>
              <th scope="col">How</th>
            </tr>
          </thead>
          <tbody>
            {data.consentHistory.map((r) => (
              <tr key={r.seq}>
                <td>{r.at.slice(0, 19).replace("T", " ")}</td>
                <td>
                  {r.purposeId}{" "}
                  <span className="muted">
                    ({r.purposeVersion}, {r.language})
                  </span>
                </td>
                <td>{r.decision}</td>
                <td>{r.method}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
