"use server";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { saveDecisions } from "@/lib/account";
import type { ActionState } from "@/lib/action-result";
import { catalogue } from "@/lib/catalogue";
import type { Decisions } from "@/lib/data/consents";
import { currentRequestId } from "@/lib/http";
import { currentLocale } from "@/lib/i18n/request-locale";
import { RateLimitedError } from "@/lib/rate-limit";
import { PENDING_TTL_SECONDS } from "@/lib/session-cookie";
import { clearPendingSignIn } from "@/lib/session";

/** Reads one decision per purpose shown on the form; unchecked boxes are refusals. */
function decisionsFrom(form: FormData): Decisions {
  const shown = new Set(form.getAll("shown").map(String));
  return Object.fromEntries(
    catalogue()
      .filter((p) => shown.has(p.id))
      .map((p) => [p.id, p.required || form.get(`purpose:${p.id}`) === "on"]),
  );
}

export async function saveConsent(_prev: ActionState, form: FormData): Promise<ActionState> {
  const t = await getTranslations("consent");
  const decisions = decisionsFrom(form);
  if (Object.keys(decisions).length === 0) return { ok: false, message: t("errors.emptyForm") };
  let saved;
  try {
    // The language the form was rendered in (checked in saveDecisions), not the one in force now:
    // a switch in another tab between showing and sending must not relabel what was read.
    const shownIn = form.get("locale");
    saved = await saveDecisions(
      decisions,
      "page",
      await currentRequestId(),
      typeof shownIn === "string" ? shownIn : await currentLocale(),
    );
  } catch (e) {
    // The consent limit as a form message instead of an error page.
    if (e instanceof RateLimitedError)
      return { ok: false, message: t("errors.tooMany", { seconds: e.retryAfterSeconds }) };
    throw e;
  }
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
}

export async function cancelSignIn(): Promise<void> {
  await clearPendingSignIn();
  redirect("/?cancelled=1");
}
