import Link from "next/link";
import { redirect } from "next/navigation";
import { PurposeDetails } from "@/components/purpose-details";
import { PurposeToggle } from "@/components/purpose-toggle";
import { getConsentOverview } from "@/lib/data/consents";
import { FIELDS } from "@/lib/fields";
import { requireUser } from "@/lib/session";
import { togglePurpose } from "./actions";

export const metadata = { title: "Your data · Consent-first login" };

const date = (d: Date) => d.toISOString().slice(0, 10);

export default async function SettingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const [overview, params] = await Promise.all([getConsentOverview(user.id), searchParams]);
  if (overview.some((v) => v.needsDecision)) redirect("/consent");
  // The greeting is the display_name purpose at work: without that consent there is no name to use.
  const firstName = overview.flatMap((v) => v.stored).find((f) => f.field === "first_name")?.value ?? null;
  return (
    <>
      <h1>Your data{firstName ? `, ${firstName}` : ""}</h1>
      {params.welcome === "1" && <p className="notice ok" role="status">Your account is ready. Below is exactly what we keep.</p>}
      {params.saved === "1" && <p className="notice ok" role="status">Your choices are saved.</p>}
      <p>Each purpose below shows whether you agreed, what is stored under it, and when it will be deleted.</p>
      {overview.map((v) => (
        <section className="card" key={v.purpose.id} aria-labelledby={`p-${v.purpose.id}`}>
          <h2 id={`p-${v.purpose.id}`}>
            {v.purpose.title}
            {v.granted ? <span className="tag on">granted{v.decidedAt ? ` since ${date(v.decidedAt)}` : ""}</span> : <span className="tag">not granted</span>}
            {v.purpose.required && <span className="tag required">required</span>}
          </h2>
          <PurposeDetails purpose={v.purpose} idPrefix="settings" />
          <h3 className="muted">Stored now</h3>
          {v.stored.length ? (
            <dl className="fields" data-testid={`stored-${v.purpose.id}`}>
              {v.stored.map((f) => (
                <div key={f.field} className="contents">
                  <dt>{FIELDS[f.field].label}</dt>
                  <dd>
                    {f.value ?? <em>can no longer be decrypted</em>} <span className="muted">(deleted on {date(f.purgeAt)} unless refreshed)</span>
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <p data-testid={`stored-${v.purpose.id}`}>Nothing.</p>
          )}
          {!v.purpose.required && <PurposeToggle title={v.purpose.title} granted={v.granted} action={togglePurpose.bind(null, v.purpose.id, !v.granted)} />}
        </section>
      ))}
      <section className="card" aria-labelledby="copy">
        <h2 id="copy">Your copy</h2>
        <div className="row">
          <a className="button secondary" href="/api/me/export" download>
            Download my data (JSON)
          </a>
          <a className="button secondary" href="/api/me/receipt" download>
            Download my consent receipt
          </a>
        </div>
      </section>
      <section className="card" aria-labelledby="leave">
        <h2 id="leave">Sessions and deletion</h2>
        <div className="row">
          {/* A route handler, not an action: its 303 carries Clear-Site-Data. */}
          <form action="/api/auth/logout?everywhere=1" method="post">
            <button type="submit" className="secondary">
              Log out on every device
            </button>
          </form>
          <Link className="button secondary" href="/settings/delete">
            Delete my data…
          </Link>
        </div>
      </section>
    </>
  );
}
