import "server-only";
// The bot's side of sharing a phone number: the webhook's authentication, the /start <token> deep
// link, the request_contact keyboard, and the shared contact. Telegram's updates are untrusted
// input: parsed with zod, never logged with content.
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { acceptBotContact, claimBotLink } from "../data/phone";
import { env } from "../env";
import { log, securityEvent } from "../log";
import { withinLimit } from "../rate-limit";

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
      from: z.object({ id: TelegramId, is_bot: z.boolean().optional() }).optional(),
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

const CONTACT_KEYBOARD: ReplyMarkup = {
  keyboard: [[{ text: "Share my phone number", request_contact: true }]],
  one_time_keyboard: true,
  resize_keyboard: true,
};

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

  if (message.contact) {
    const result = await acceptBotContact(from, message.contact.user_id ?? null, message.contact.phone_number);
    if (result.ok) {
      securityEvent("phone.stored", requestId, { via: "bot", stored: result.stored, verified: result.verified });
      await sendMessage(
        chatId,
        result.stored
          ? "Thank you: your phone number is saved, encrypted, on the site. You can withdraw it there at any time."
          : "Thank you: we noted that your phone number was verified. The number itself was not kept.",
        { remove_keyboard: true },
      );
    } else {
      securityEvent("phone.refused", requestId, { via: "bot", reason: result.reason });
      await sendMessage(
        chatId,
        result.message,
        result.reason === "not_own" ? CONTACT_KEYBOARD : { remove_keyboard: true },
      );
    }
    return;
  }

  const start = message.text?.match(/^\/start(?:@[A-Za-z0-9_]+)?\s+([A-Za-z0-9_-]{1,64})$/);
  if (start) {
    const claim = await claimBotLink(start[1]!, from);
    securityEvent("webhook.handled", requestId, { kind: "start", accepted: claim.ok });
    if (claim.ok)
      await sendMessage(
        chatId,
        "Press the button below to share your phone number with the site. Only your own number is accepted.",
        CONTACT_KEYBOARD,
      );
    else
      await sendMessage(
        chatId,
        "This link has expired or was already used, or it belongs to another Telegram account. Open a new one from the settings page of the site.",
      );
    return;
  }
  securityEvent("webhook.handled", requestId, { kind: "other" });
  await sendMessage(chatId, "To share your phone number, open the link on the settings page of the site.");
}
