"use client";
// /admin/contact's form: an account reference and a reason from a closed list (no free text, so no
// personal data enters the audit trail). The answer, a number or the one refusal, takes the focus,
// so keyboard and screen-reader users land on it.
import { useActionState, useEffect, useRef } from "react";
import type { ActionState } from "@/lib/web/action-result";
import { CONTACT_REASONS, type ContactReason } from "@/lib/domain/contact-reasons";
import { SubmitButton } from "../submit-button";

type LookupData = { reference: string; e164: string; display: string; reason: string };

export function ContactLookupForm({
  action,
}: {
  action: (prev: ActionState<LookupData>, form: FormData) => Promise<ActionState<LookupData>>;
}) {
  const [state, formAction] = useActionState(action, null);
  const result = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state) result.current?.focus();
  }, [state]);
  return (
    <>
      <form action={formAction} className="contact-form">
        <p>
          <label htmlFor="contact-reference">Account reference</label>
          <br />
          <input
            id="contact-reference"
            name="reference"
            required
            autoComplete="off"
            spellCheck={false}
            maxLength={40}
            aria-describedby="contact-reference-hint"
          />
          <br />
          <span id="contact-reference-hint" className="muted">
            As the person gave it, from their settings page, e.g. 7F3A-9C21-04BE.
          </span>
        </p>
        <fieldset>
          <legend>Reason</legend>
          {/* None chosen in advance: a lookup is logged with the reason the admin picked, never a default. */}
          {(Object.keys(CONTACT_REASONS) as ContactReason[]).map((r) => (
            <label key={r} className="choice">
              <input type="radio" name="reason" value={r} required />
              {CONTACT_REASONS[r].admin}
            </label>
          ))}
        </fieldset>
        <p>
          <SubmitButton pendingLabel="Looking up…">Look up the phone number</SubmitButton>
        </p>
      </form>
      <div
        ref={result}
        tabIndex={-1}
        role="status"
        aria-live="polite"
        data-testid="contact-result"
        className={state ? (state.ok ? "notice ok" : "notice error") : undefined}
      >
        {state?.ok && (
          <>
            <p>
              Phone number for account {state.data.reference}:{" "}
              <a href={`tel:${state.data.e164}`}>
                <strong>{state.data.display}</strong>
              </a>
            </p>
            <p>{state.message}</p>
          </>
        )}
        {state && !state.ok && <p>{state.message}</p>}
      </div>
    </>
  );
}
