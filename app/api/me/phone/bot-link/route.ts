import { createPhoneBotLink } from "@/lib/use-cases/account";
import { apiError, json, jsonError, route } from "@/lib/web/http";
import { getSession } from "@/lib/web/session";

/** POST: a one-time t.me deep link that lets the bot ask for the user's own contact. */
export const POST = route(async () => {
  const user = await getSession();
  if (!user) return apiError("signedOut");
  const result = await createPhoneBotLink(user.id);
  return result.ok
    ? json({ link: result.link, expiresAt: result.expiresAt.toISOString() })
    : jsonError(result.status, result.message);
});
