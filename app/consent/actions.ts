"use server";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { saveDecisions } from "@/lib/use-cases/account";
import { serverAction } from "@/lib/web/action";
import type { ActionResult, ActionState } from "@/lib/web/action-result";
import { catalogue } from "@/lib/domain/catalogue";
import type { Decisions } from "@/lib/data/consents";
import { currentLocale } from "@/lib/i18n/request-locale";
import { PENDING_TTL_SECONDS } from "@/lib/web/session-cookie";
import { clearPendingSignIn } from "@/lib/web/session";

/** Reads one decision per purpose shown on the form; unchecked boxes are refusals. */
function decisionsFrom(form: FormData): Decisions {
  const shown = new Set(form.getAll("shown").map(String));
  return Object.fromEntries(
    catalogue()
      .filter((p) => shown.has(p.id))
      .map((p) => [p.id, p.required || form.get(`purpose:${p.id}`) === "on"]),
  );
}

// "anyone": a first sign-in waiting for consent has no session yet; saveDecisions finds the
// session or the pending sign-in itself, and refuses when there is neither.
export const saveConsent = serverAction(
  {
    caller: "anyone",
    // The consent limit as a form message instead of an error page.
    tooMany: "consent.errors.tooMany",
    input: (_prev: ActionState, form: FormData) => ({ decisions: decisionsFrom(form), shownIn: form.get("locale") }),
  },
  async ({ requestId }, { decisions, shownIn }): Promise<ActionResult> => {
    const t = await getTranslations("consent");
    if (Object.keys(decisions).length === 0) return { ok: false, message: t("errors.emptyForm") };
    // The language the form was rendered in (checked in saveDecisions), not the one in force now:
    // a switch in another tab between showing and sending must not relabel what was read.
    const locale = typeof shownIn === "string" ? shownIn : await currentLocale();
    const saved = await saveDecisions(decisions, "page", requestId, locale);
    if (!saved.ok) {
      if (saved.reason === "no-sign-in")
        return { ok: false, message: t("errors.noSignIn", { minutes: PENDING_TTL_SECONDS / 60 }) };
      if (saved.reason === "spent") return { ok: false, message: t("errors.spent") };
      // "invalid" names a purpose id or a required purpose; this form always sends the required ones
      // and only catalogue ids, so only a hand-made request sees it (in English, as the API says it).
      return { ok: false, message: saved.message };
    }
    if (saved.created) redirect("/settings?welcome=1");
    redirect(saved.needsConsent ? "/consent" : "/settings?saved=1");
  },
);

export const cancelSignIn = serverAction({ caller: "anyone", input: () => undefined }, async (): Promise<void> => {
  await clearPendingSignIn();
  redirect("/?cancelled=1");
});
