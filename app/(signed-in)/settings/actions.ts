"use server";
import { refresh } from "next/cache";
import { getFormatter, getTranslations } from "next-intl/server";
import { createPhoneBotLink, saveDecisions } from "@/lib/use-cases/account";
import { serverAction } from "@/lib/web/action";
import type { ActionResult, ActionState } from "@/lib/web/action-result";
import { purposeById } from "@/lib/domain/catalogue";
import { env } from "@/lib/core/env";
import { isLocale } from "@/lib/i18n/locales";
import { currentLocale } from "@/lib/i18n/request-locale";
import { purposeText } from "@/lib/domain/purposes";

// "Log out on every device" and "Delete my data" are plain forms posting to route handlers
// (/api/auth/logout?everywhere=1, /api/me/delete): only a route handler's answer can carry
// Clear-Site-Data.

/**
 * One click grants or withdraws: no more steps than granting took on the consent page. The form
 * says which (the button the person saw), so a stale page can never flip the other way. It saves
 * through saveDecisions, like the consent page and PUT /api/me/consents.
 */
export const togglePurpose = serverAction(
  {
    caller: "user",
    tooMany: "settings.actions.tooManyChanges",
    input: (purposeId: string, _prev: ActionState, form: FormData) => ({
      purposeId,
      grant: form.get("grant") === "1",
      shownIn: form.get("locale"),
    }),
  },
  async ({ requestId }, { purposeId, grant, shownIn }): Promise<ActionResult> => {
    const t = await getTranslations("settings.actions");
    const purpose = purposeById(purposeId);
    if (!purpose) return { ok: false, message: t("purposeGone") };
    // The language the button's page was rendered in (see the consent form), if still offered.
    const locale = isLocale(shownIn) && env().languages.includes(shownIn) ? shownIn : await currentLocale();
    const title = purposeText(purpose, locale).title;
    const saved = await saveDecisions({ [purposeId]: grant }, "page", requestId, locale);
    // A signed-in person's only refusal here: withdrawing the required purpose (no button offers it).
    if (!saved.ok || saved.created) return { ok: false, message: t("required", { title }) };
    // The page is rendered again in this same answer: badge, values, button and dates change at once.
    refresh();
    if (grant) {
      // A phone number never comes with a sign-in: it is shared afterwards, through Telegram.
      if (purpose.fields.includes("phone_number")) return { ok: true, message: t("grantedPhone", { title }) };
      return { ok: true, message: t("granted", { title }) };
    }
    if (!saved.erased.length) return { ok: true, message: t("withdrawnNothing", { title }) };
    const [tc, format] = await Promise.all([getTranslations("common"), getFormatter()]);
    // "narrow": a plain comma list of field names ("First name, Last name"), each language's own separator.
    const fields = format.list(
      saved.erased.map((f) => tc(`fields.${f}`)),
      { type: "conjunction", style: "narrow" },
    );
    return { ok: true, message: t("withdrawnErased", { title, fields }) };
  },
);

/** Makes a one-time deep link into the bot; the page shows it as a link to Telegram. */
export const phoneBotLinkAction = serverAction(
  {
    caller: "user",
    tooMany: "settings.actions.tooManyLinks",
    input: (_prev: ActionState<{ link: string }>) => undefined,
  },
  async ({ user }): Promise<ActionResult<{ link: string }>> => {
    const t = await getTranslations("settings.actions");
    const result = await createPhoneBotLink(user.id);
    // The use case's own messages are English for the JSON API; the page says the same in the person's language.
    if (!result.ok) return { ok: false, message: t(result.status === 503 ? "botNotConfigured" : "botNoPurpose") };
    return { ok: true, message: t("botLinkNote"), data: { link: result.link } };
  },
);
