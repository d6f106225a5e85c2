// The message files: messages/<locale>/<namespace>.json, one namespace per area of the product, so
// that each page's texts sit together and every language has the same files (tests/i18n.test.ts).
export const NAMESPACES = [
  "common", // header, footer, language switcher, skip link, demo banner, shared words
  "home",
  "consent",
  "settings",
  "records", // the readable export and the consent receipt
  "errors", // 404, 403, error boundary, sign-in failures
  "bot", // the Telegram bot's replies
  "demo",
] as const;
export type Namespace = (typeof NAMESPACES)[number];
