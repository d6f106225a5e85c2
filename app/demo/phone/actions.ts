"use server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { serverAction } from "@/lib/web/action";
import type { ActionResult, ActionState } from "@/lib/web/action-result";
import { shareDemoPhone } from "@/lib/demo";

/** The simulated sharing; on success the settings page shows what was kept, as after a real share. */
export const shareDemoPhoneAction = serverAction(
  { caller: "user", input: (_prev: ActionState) => undefined },
  async ({ user }): Promise<ActionResult> => {
    const result = await shareDemoPhone(user, await headers());
    if (!result.ok) {
      // The result's own message is the API's (English, for scripts); a person reads the reason in their language.
      const t = await getTranslations("demo");
      const message = {
        no_consent: t("phone.noConsent"),
        taken: t("phone.taken"),
        invalid: t("phone.invalid"),
        refused: t("phone.refused"),
      }[result.reason];
      return { ok: false, message };
    }
    redirect(`/settings?phone=${result.stored ? "saved" : "verified"}`);
  },
);
