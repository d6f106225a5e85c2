// The message files: messages/<locale>/<namespace>.json, one namespace per area of the product, so
// that each page's texts sit together and every language has the same files (lib/i18n/messages.test.ts).
export const NAMESPACES = [
  "common", // header, footer, language switcher, skip link, demo banner, shared words
  "home",
  "consent",
  "settings",
  "records", // the readable export and the consent receipt
  "errors", // 404, 403, error boundary, sign-in failures
  "bot", // the Telegram bot's replies
  "demo",
  "codes", // the error catalogue (lib/web/errors.ts): what a refusal says, per code
] as const;
export type Namespace = (typeof NAMESPACES)[number];

/**
 * The messages client components read (useTranslations in a "use client" file, or in a component
 * such a file renders): whole namespaces, or one part of one ("settings.phoneShare"). Only these are
 * sent to the browser with each page; the rest stay on the server, so a page does not carry every
 * text of the product (lib/i18n/messages.test.ts checks that every client component's are listed).
 */
export const CLIENT_MESSAGES = [
  "common",
  "home",
  "consent",
  "records",
  "errors",
  "demo",
  "settings.phoneShare",
] as const;

type Messages = { [key: string]: string | Messages };

/** The part of `messages` that CLIENT_MESSAGES names, in the same shape. */
export function clientMessages(messages: Messages): Messages {
  const out: Messages = {};
  for (const path of CLIENT_MESSAGES) {
    const keys = path.split(".");
    let from: string | Messages | undefined = messages;
    let to = out;
    keys.forEach((key, i) => {
      from = typeof from === "object" ? from[key] : undefined;
      if (from === undefined) return;
      if (i === keys.length - 1) to[key] = from;
      else to = (to[key] ??= {}) as Messages;
    });
  }
  return out;
}
