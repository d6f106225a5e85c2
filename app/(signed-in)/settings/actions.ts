"use server";
import { refresh } from "next/cache";
import { createPhoneBotLink } from "@/lib/account";
import type { ActionState } from "@/lib/action-result";
import { purposeById } from "@/lib/catalogue";
import { setConsents } from "@/lib/data/consents";
import { FIELDS } from "@/lib/fields";
import { currentRequestId } from "@/lib/http";
import { isLocale } from "@/lib/i18n/locales";
import { currentLocale } from "@/lib/i18n/request-locale";
import { env } from "@/lib/env";
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
  const grant = form.get("grant") === "1";
  const purpose = purposeById(purposeId);
  if (!purpose) return { ok: false, message: "That purpose no longer exists. Reload the page." };
  // The language the button's page was rendered in (see the consent form), if still offered.
  const shownIn = form.get("locale");
  const locale = isLocale(shownIn) && env().languages.includes(shownIn) ? shownIn : await currentLocale();
  const title = purposeText(purpose, locale).title;
  try {
    await consume("consent", user.id);
  } catch (e) {
    if (e instanceof RateLimitedError)
      return {
        ok: false,
        message: `Too many changes at once. Please wait ${e.retryAfterSeconds} seconds and try again.`,
      };
    throw e;
  }
  const result = await setConsents(user.id, { [purposeId]: grant }, "page", locale);
  if (!result.ok) return { ok: false, message: result.message };
  securityEvent("consent.changed", await currentRequestId(), { changes: result.changed.length, method: "page" });
  // The page is rendered again in this same answer: badge, values, button and dates change at once.
  refresh();
  if (grant) {
    // A phone number never comes with a sign-in: it is shared afterwards, through Telegram.
    if (purpose.fields.includes("phone_number"))
      return {
        ok: true,
        message: `Granted: ${title}. Nothing is stored until you share your number through Telegram.`,
      };
    return {
      ok: true,
      message: `Granted: ${title}. Its data is filled in from Telegram at your next sign-in.`,
    };
  }
  const erased = result.erased.map((f) => FIELDS[f].label);
  return {
    ok: true,
    message: `Withdrawn: ${title}. ${erased.length ? `Erased now: ${erased.join(", ")}.` : "Nothing was stored under it."}`,
  };
}
/** Makes a one-time deep link into the bot; the page shows it as a link to Telegram. */
export async function phoneBotLinkAction(_prev: ActionState<{ link: string }>): Promise<ActionState<{ link: string }>> {
  const user = await requireUser();
  let result: Awaited<ReturnType<typeof createPhoneBotLink>>;
  try {
    result = await createPhoneBotLink(user.id);
  } catch (e) {
    if (e instanceof RateLimitedError)
      return {
        ok: false,
        message: `Too many links at once. Please wait ${e.retryAfterSeconds} seconds and try again.`,
      };
    throw e;
  }
  if (!result.ok) return { ok: false, message: result.message };
  return {
    ok: true,
    message: "The link works once, for 10 minutes, and only from your own Telegram account.",
    data: { link: result.link },
  };
}
