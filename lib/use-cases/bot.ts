import "server-only";
// The bot's side of sharing a phone number: the webhook's authentication, the /start <token> deep
// link, the request_contact keyboard, and the shared contact. Telegram's updates are untrusted
// input: parsed with zod, never logged with content.
import { createHash, timingSafeEqual } from "node:crypto";
import { createTranslator } from "next-intl";
import { z } from "zod";
import { acceptBotContact, claimBotLink } from "../data/phone";
import { env } from "../core/env";
import { DEFAULT_LOCALE, type Locale } from "../i18n/locales";
import { loadMessages } from "../i18n/messages";
import { offeredLocale } from "../i18n/negotiate";
import { log, securityEvent } from "../core/log";
import { withinLimit } from "../data/rate-limit";

/** Constant-time comparison of the X-Telegram-Bot-Api-Secret-Token header with the configured secret. */
export function webhookSecretMatches(given: string | null): boolean {
  const secret = env().webhookSecret;
  if (!secret || !given) return false;
  const a = createHash("sha256").update(secret).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

const TelegramId = z
  .union([z.number().int().positive().refine(Number.isSafeInteger), z.string().regex(/^[1-9][0-9]{0,15}$/)])
  .transform((v) => BigInt(v));

const Update = z.object({
  update_id: z.number().int(),
  message: z
    .object({
      chat: z.object({ id: z.union([z.number().int(), z.string().regex(/^-?[0-9]{1,20}$/)]) }),
      from: z
        .object({
          id: TelegramId,
          is_bot: z.boolean().optional(),
          // The language of the sender's Telegram app (an IETF tag such as "ru" or "pt-br"). Anything
          // else, too long, or not a string is ignored: the reply is then in English.
          language_code: z.string().max(35).optional().catch(undefined),
        })
        .optional(),
      text: z.string().max(4096).optional(),
      contact: z.object({ phone_number: z.string().max(64), user_id: TelegramId.optional() }).optional(),
    })
    .optional(),
});

type ReplyMarkup =
  | { keyboard: { text: string; request_contact?: boolean }[][]; one_time_keyboard: boolean; resize_keyboard: boolean }
  | { remove_keyboard: true };

/** Calls the Bot API. The URL holds the bot token, so neither it nor the body is ever logged. */
async function sendMessage(chatId: number | string, text: string, replyMarkup?: ReplyMarkup): Promise<void> {
  const { botToken, botApiBase } = env();
  if (!botToken) return;
  try {
    const res = await fetch(`${botApiBase}/bot${botToken}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: chatId, text, ...(replyMarkup ? { reply_markup: replyMarkup } : {}) }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) log().warn({ status: res.status }, "bot api sendMessage refused");
  } catch (e) {
    log().warn({ err: { name: (e as Error)?.name } }, "bot api unreachable");
  }
}

/** The bot's texts in the sender's language: Telegram's language_code if offered, else English. */
async function botTranslator(languageCode: string | undefined) {
  const locale: Locale = offeredLocale(languageCode, env().languages) ?? DEFAULT_LOCALE;
  return createTranslator({ locale, messages: await loadMessages(locale), namespace: "bot" });
}
type BotT = Awaited<ReturnType<typeof botTranslator>>;

const contactKeyboard = (t: BotT): ReplyMarkup => ({
  keyboard: [[{ text: t("shareButton"), request_contact: true }]],
  one_time_keyboard: true,
  resize_keyboard: true,
});

/** Handles one authenticated update. Always resolves: Telegram retries anything but a 2xx forever. */
export async function handleBotUpdate(body: unknown, requestId: string): Promise<void> {
  const parsed = Update.safeParse(body);
  const message = parsed.success ? parsed.data.message : undefined;
  if (!message?.from || message.from.is_bot) {
    securityEvent("webhook.handled", requestId, { kind: "ignored" });
    return;
  }
  const chatId = message.chat.id;
  const from = message.from.id;
  // Before any transaction or Bot API call: a flooding sender costs one limiter hit per update. The
  // limiter stores only an HMAC of the id. Dropped, not refused: Telegram would retry a non-2xx.
  if (!(await withinLimit("webhook", from.toString()))) {
    securityEvent("webhook.handled", requestId, { kind: "rate_limited" });
    return;
  }
  const t = await botTranslator(message.from.language_code);

  if (message.contact) {
    const result = await acceptBotContact(from, message.contact.user_id ?? null, message.contact.phone_number);
    if (result.ok) {
      securityEvent("phone.stored", requestId, { via: "bot", stored: result.stored, verified: result.verified });
      await sendMessage(chatId, result.stored ? t("phoneSaved") : t("phoneVerified"), { remove_keyboard: true });
    } else {
      securityEvent("phone.refused", requestId, { via: "bot", reason: result.reason });
      // The data layer's English message is for the web pages; the bot says the same per reason in
      // the sender's language.
      await sendMessage(
        chatId,
        t(`refused.${result.reason}`),
        result.reason === "not_own" ? contactKeyboard(t) : { remove_keyboard: true },
      );
    }
    return;
  }

  const start = message.text?.match(/^\/start(?:@[A-Za-z0-9_]+)?\s+([A-Za-z0-9_-]{1,64})$/);
  if (start) {
    const claim = await claimBotLink(start[1]!, from);
    securityEvent("webhook.handled", requestId, { kind: "start", accepted: claim.ok });
    if (claim.ok) await sendMessage(chatId, t("askContact"), contactKeyboard(t));
    else await sendMessage(chatId, t("linkExpired"));
    return;
  }
  securityEvent("webhook.handled", requestId, { kind: "other" });
  await sendMessage(chatId, t("openLinkFirst"));
}
