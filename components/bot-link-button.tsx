"use client";
// "Share via the bot": the server makes a one-time deep link, shown here as a plain link to Telegram
// (a link, not a redirect, so the CSP's form-action stays 'self').
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { ActionState } from "@/lib/web/action-result";
import { SubmitButton } from "./submit-button";

export function BotLinkButton({
  action,
}: {
  action: (prev: ActionState<{ link: string }>) => Promise<ActionState<{ link: string }>>;
}) {
  const t = useTranslations("settings.phoneShare");
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction}>
      <SubmitButton className="secondary" pendingLabel={t("botPending")}>
        {t("bot")}
      </SubmitButton>
      {state?.ok ? (
        <p role="status" className="notice ok">
          {t.rich("botReady", {
            note: state.message,
            link: (chunks) => (
              <a href={state.data.link} rel="noopener noreferrer" target="_blank">
                {chunks}
              </a>
            ),
          })}
        </p>
      ) : (
        <p role="status" aria-live="polite" className={state ? "notice error" : undefined}>
          {state?.message}
        </p>
      )}
    </form>
  );
}
