import { env } from "@/lib/env";

/** Who is asking and how to reach them (GDPR Art. 13(1)(a)), wherever consent is asked or shown. */
export function ControllerNotice() {
  const c = env().controller;
  return (
    <section className="card controller" aria-labelledby="who-is-asking">
      <h2 id="who-is-asking">Who is asking</h2>
      <p>
        <strong>{c.name}</strong> decides what is done with your data here (the controller). Contact:{" "}
        {c.contactHref ? <a href={c.contactHref}>{c.contact}</a> : c.contact}.{" "}
        {c.privacyPolicyUrl ? (
          <a href={c.privacyPolicyUrl}>Read the privacy policy</a>
        ) : (
          "No privacy policy is configured (PRIVACY_POLICY_URL)."
        )}
      </p>
      {c.placeholder && (
        <p className="muted">
          This site runs with placeholder operator details: it is not meant for real people&apos;s data.
        </p>
      )}
    </section>
  );
}
