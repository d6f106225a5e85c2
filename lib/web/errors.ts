// The error catalogue: every refusal the HTTP contract answers, by code, with its status. The words
// live in messages/<locale>/codes.json, so each sentence is written once and translated; the JSON
// API answers in English (its readers are scripts and their authors), a page in the person's language
// (getTranslations("codes")).
import { createTranslator } from "next-intl";
import codes from "../../messages/en/codes.json";

export const ERROR_STATUS = {
  signedOut: 401,
  reportAdminsOnly: 403,
  contactAdminsOnly: 403,
  tooManyRequests: 429,
  crossOrigin: 403,
  oidcFromOwnPages: 403,
  reportFormat: 400,
  databaseDown: 503,
  nothingHere: 404,
  webhookUnauthorized: 401,
  serverError: 500,
} as const satisfies Record<keyof typeof codes, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorValues = Record<string, string | number>;

const english = createTranslator({ locale: "en", messages: { codes }, namespace: "codes" });

/** The code's sentence in English, as the JSON API says it. */
export function errorMessage(code: ErrorCode, values?: ErrorValues): string {
  return english(code, values);
}
