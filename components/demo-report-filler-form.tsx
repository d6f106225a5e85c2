"use client";
import { useActionState } from "react";
import { useFormStatus } from "react-dom";
import type { ActionState } from "@/lib/web/action-result";
import { SubmitButton } from "./submit-button";

function Progress({ people }: { people: number }) {
  const { pending } = useFormStatus();
  if (!pending) return null;
  // Indeterminate: one server call seeds and re-checks; it takes a few seconds on a slow machine.
  return <progress aria-label={`Adding ${people} synthetic people`} />;
}

export function DemoReportFillerForm({
  people,
  action,
}: {
  people: number;
  action: (prev: ActionState) => Promise<ActionState>;
}) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction}>
      <p className="row">
        <SubmitButton pendingLabel={`Adding ${people} synthetic people…`}>Add {people} synthetic people</SubmitButton>
        <Progress people={people} />
      </p>
      <p role="status" aria-live="polite" className={state ? (state.ok ? "notice ok" : "notice error") : undefined}>
        {state?.message}
      </p>
    </form>
  );
}
