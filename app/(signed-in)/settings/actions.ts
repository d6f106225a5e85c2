"use server";
import { refresh } from "next/cache";
import { getFormatter, getTranslations } from "next-intl/server";
import { createPhoneBotLink } from "@/lib/account";
import type { ActionState } from "@/lib/action-result";
import { purposeById } from "@/lib/catalogue";
import { setConsents } from "@/lib/data/consents";
import { env } from "@/lib/env";
import { currentRequestId } from "@/lib/http";
import { isLocale } from "@/lib/i18n/locales";
import { currentLocale } from "@/lib/i18n/request-locale";
import { purposeText } from "@/lib/purposes";
import { securityEvent } from "@/lib/log";
import { consume, RateLimitedError } from "@/lib/rate-limit";
import { requireUser } from "@/lib/session";

// "Log out on every device" and "Delete my data" are plain forms posting to route handlers
// (/api/auth/logout?everywhere=1, /api/me/delete): only a route handler's answer can carry
// Clear-Site-Data.

/**
 * One click grants or withdraws: no more steps than granting took on the consent page. The form
 * says which (the button the person saw), so a stale page can never flip the other way.
 */
export async function togglePurpose(purposeId: string, _prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const t = await getTranslations("settings.actions");
  const grant = form.get("grant") === "1";
  const purpose = purposeById(purposeId);
  if (!purpose) return { ok: false, message: t("purposeGone") };
  // The language the button's page was rendered in (see the consent form), if still offered.
  const shownIn = form.get("locale");
  const locale = isLocale(shownIn) && env().languages.includes(shownIn) ? shownIn : await currentLocale();
  const title = purposeText(purpose, locale).title;
  try {
    await consume("consent", user.id);
  } catch (e) {
    if (e instanceof RateLimitedError)
      return { ok: false, message: t("tooManyChanges", { seconds: e.retryAfterSeconds }) };
    throw e;
  }
  const result = await setConsents(user.id, { [purposeId]: grant }, "page", locale);
  // The only decision the catalogue refuses here: withdrawing the required purpose (no button offers it).
  if (!result.ok) return { ok: false, message: t("required", { title }) };
  securityEvent("consent.changed", await currentRequestId(), { changes: result.changed.length, method: "page" });
  // The page is rendered again in this same answer: badge, values, button and dates change at once.
  refresh();
  if (grant) {
    // A phone number never comes with a sign-in: it is shared afterwards, through Telegram.
    if (purpose.fields.includes("phone_number")) return { ok: true, message: t("grantedPhone", { title }) };
    return { ok: true, message: t("granted", { title }) };
  }
  if (!result.erased.length) return { ok: true, message: t("withdrawnNothing", { title }) };
  const [tc, format] = await Promise.all([getTranslations("common"), getFormatter()]);
  // "narrow": a plain comma list of field names ("First name, Last name"), each language's own separator.
  const fields = format.list(
    result.erased.map((f) => tc(`fields.${f}`)),
    { type: "conjunction", style: "narrow" },
  );
  return { ok: true, message: t("withdrawnErased", { title, fields }) };
}
/** Makes a one-time deep link into the bot; the page shows it as a link to Telegram. */
export async function phoneBotLinkAction(_prev: ActionState<{ link: string }>): Promise<ActionState<{ link: string }>> {
  const user = await requireUser();
  const t = await getTranslations("settings.actions");
  let result: Awaited<ReturnType<typeof createPhoneBotLink>>;
  try {
    result = await createPhoneBotLink(user.id);
  } catch (e) {
    if (e instanceof RateLimitedError)
      return { ok: false, message: t("tooManyLinks", { seconds: e.retryAfterSeconds }) };
    throw e;
  }
  // The use case's own messages are English for the JSON API; the page says the same in the person's language.
  if (!result.ok) return { ok: false, message: t(result.status === 503 ? "botNotConfigured" : "botNoPurpose") };
  return { ok: true, message: t("botLinkNote"), data: { link: result.link } };
}
