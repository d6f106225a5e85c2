"use client";
// "Share via the bot": the server makes a one-time deep link, shown here as a plain link to Telegram
// (a link, not a redirect, so the CSP's form-action stays 'self').
import { useActionState } from "react";
import type { ActionState } from "@/lib/action-result";
import { SubmitButton } from "./submit-button";

export function BotLinkButton({
  action,
}: {
  action: (prev: ActionState<{ link: string }>) => Promise<ActionState<{ link: string }>>;
}) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction}>
      <SubmitButton className="secondary" pendingLabel="Making a link…">
        Share via the bot
      </SubmitButton>
      {state?.ok ? (
        <p role="status" className="notice ok">
          <a href={state.data.link} rel="noopener noreferrer" target="_blank">
            Open the bot in Telegram
          </a>{" "}
          and press its button. {state.message}
        </p>
      ) : (
        <p role="status" aria-live="polite" className={state ? "notice error" : undefined}>
          {state?.message}
        </p>
      )}
    </form>
  );
}
