"use client";
// The demo's simulated phone sharing (app/demo/phone): one button, and the server's answer when
// nothing was stored. On success the action redirects to the settings page.
import { useActionState } from "react";
import type { ActionState } from "@/lib/action-result";
import { SubmitButton } from "./submit-button";

export function DemoPhoneShareForm({
  action,
  phone,
}: {
  action: (prev: ActionState) => Promise<ActionState>;
  phone: string;
}) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction}>
      <SubmitButton pendingLabel="Sharing…">Share {phone} (simulated)</SubmitButton>
      <p role="status" aria-live="polite" className={state ? (state.ok ? "notice ok" : "notice error") : undefined}>
        {state?.message}
      </p>
    </form>
  );
}
