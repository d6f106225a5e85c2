"use client";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { ActionState } from "@/lib/web/action-result";
import type { Locale } from "@/lib/i18n/locales";
import { SubmitButton } from "./submit-button";

/**
 * Grant and Withdraw look alike (class "choice-button"): a solid Grant beside an outlined Withdraw
 * nudges towards granting. The action is bound to the purpose only; the form says which way, so the
 * form state survives the page re-rendering with the other button (with or without JavaScript).
 */
export function PurposeToggle({
  title,
  locale,
  granted,
  action,
  permalink,
}: {
  title: string;
  /** Where the form lands without JavaScript: the purpose's own card, not the top of the page. */
  permalink: string;
  /** The language the purpose's text is shown in: recorded with the decision. */
  locale: Locale;
  granted: boolean;
  action: (prev: ActionState, form: FormData) => Promise<ActionState>;
}) {
  const t = useTranslations("consent");
  const [state, formAction] = useActionState(action, null, permalink);
  return (
    <form action={formAction}>
      <input type="hidden" name="grant" value={granted ? "0" : "1"} />
      <input type="hidden" name="locale" value={locale} />
      <SubmitButton className="choice-button" pendingLabel={granted ? t("toggle.withdrawing") : t("toggle.granting")}>
        {granted ? t("toggle.withdraw", { title }) : t("toggle.grant", { title })}
      </SubmitButton>
      <p role="status" aria-live="polite" className={state ? (state.ok ? "notice ok" : "notice error") : undefined}>
        {state?.message}
      </p>
    </form>
  );
}
