import { cookies } from "next/headers";
import { signInWithWebAppData } from "@/lib/auth";
import { env } from "@/lib/env";
import { localeCookieOptions } from "@/lib/i18n/cookie";
import { LOCALE_COOKIE, offeredLocale } from "@/lib/i18n/negotiate";
import { json, jsonError, readJsonObject, route } from "@/lib/http";
import { clientAddress } from "@/lib/rate-limit";

// The Mini App's sign-in: {"initData": "<Telegram.WebApp.initData>"}, answered like the widget's.
export const POST = route(async (req, { requestId }) => {
  const body = await readJsonObject(req, 4096);
  const result = await signInWithWebAppData(body, requestId, clientAddress(req.headers));
  if (!result.ok) return jsonError(result.status, result.message);
  const response = json({ next: result.next });
  // Telegram's language speaks the pages, as after an OpenID Connect sign-in, unless the person
  // already chose one with the switcher or it is not offered here.
  const telegramLocale = offeredLocale(result.locale, env().languages);
  const chosen = offeredLocale((await cookies()).get(LOCALE_COOKIE)?.value, env().languages);
  if (telegramLocale && !chosen) response.cookies.set(LOCALE_COOKIE, telegramLocale, localeCookieOptions());
  return response;
});
