"use client";
import { useActionState } from "react";
import type { ActionState } from "@/lib/action-result";
import { SubmitButton } from "./submit-button";

export function PurposeToggle({ title, granted, action }: { title: string; granted: boolean; action: (prev: ActionState) => Promise<ActionState> }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction}>
      <SubmitButton className={granted ? "secondary" : undefined} pendingLabel={granted ? "Withdrawing…" : "Granting…"}>
        {granted ? `Withdraw “${title}”` : `Grant “${title}”`}
      </SubmitButton>
      <p role="status" aria-live="polite" className={state ? (state.ok ? "notice ok" : "notice error") : undefined}>
        {state?.message}
      </p>
    </form>
  );
}
