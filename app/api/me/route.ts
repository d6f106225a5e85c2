import { deleteMyAccount } from "@/lib/use-cases/account";
import { describeMe } from "@/lib/data/me";
import { apiError, ERASED_HEADERS, json, route } from "@/lib/web/http";
import { currentLocale } from "@/lib/i18n/request-locale";
import { consume } from "@/lib/data/rate-limit";
import { getSession } from "@/lib/web/session";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const user = await getSession();
  if (!user) return apiError("signedOut");
  return json(await describeMe(user, await currentLocale()));
});

export const DELETE = route(async (_req, { requestId }) => {
  const user = await getSession();
  if (!user) return apiError("signedOut");
  await consume("erasure", user.id);
  await deleteMyAccount(user.id, requestId);
  return json({ erased: true, next: "/" }, { headers: ERASED_HEADERS });
});
