"use client";
import { useActionState } from "react";
import type { ActionState } from "@/lib/action-result";
import type { Purpose } from "@/lib/purposes";
import { PurposeDetails } from "./purpose-details";
import { SubmitButton } from "./submit-button";

export function ConsentForm({ purposes, action }: { purposes: { purpose: Purpose; checked: boolean; changed: boolean }[]; action: (prev: ActionState, form: FormData) => Promise<ActionState> }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} aria-describedby={state && !state.ok ? "consent-error" : undefined}>
      <fieldset>
        <legend className="muted">Choose what we may keep. Optional purposes start off.</legend>
        {purposes.map(({ purpose, checked, changed }) => (
          <div className="card" key={purpose.id}>
            <input type="hidden" name="shown" value={purpose.id} />
            <div className="choice">
              <input
                type="checkbox"
                id={`purpose-${purpose.id}`}
                name={`purpose:${purpose.id}`}
                defaultChecked={purpose.required || checked}
                disabled={purpose.required}
                aria-describedby={`consent-${purpose.id}-details`}
              />
              <div>
                <label htmlFor={`purpose-${purpose.id}`}>
                  <strong>{purpose.title}</strong>
                </label>
                {purpose.required ? <span className="tag required">required</span> : <span className="tag">optional</span>}
                {changed && <span className="tag">text changed since you decided</span>}
                <PurposeDetails purpose={purpose} idPrefix="consent" />
              </div>
            </div>
          </div>
        ))}
      </fieldset>
      {state && !state.ok && (
        <p id="consent-error" className="notice error" role="alert">
          {state.message}
        </p>
      )}
      <SubmitButton pendingLabel="Saving…">Save my choices</SubmitButton>
    </form>
  );
}
