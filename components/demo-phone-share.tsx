"use client";
// The demo's simulated phone sharing (app/demo/phone): one button, and the server's answer when
// nothing was stored. On success the action redirects to the settings page.
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import type { ActionState } from "@/lib/web/action-result";
import { SubmitButton } from "./submit-button";

export function DemoPhoneShareForm({
  action,
  phone,
}: {
  action: (prev: ActionState) => Promise<ActionState>;
  phone: string;
}) {
  const t = useTranslations("demo");
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction}>
      <SubmitButton pendingLabel={t("phone.sharing")}>
        {t.rich("phone.share", { phone, bdi: (chunks) => <bdi dir="ltr">{chunks}</bdi> })}
      </SubmitButton>
      <p role="status" aria-live="polite" className={state ? (state.ok ? "notice ok" : "notice error") : undefined}>
        {state?.message}
      </p>
    </form>
  );
}
