import { consentReceipt } from "@/lib/data/export";
import { apiError, json, route } from "@/lib/web/http";
import { currentLocale } from "@/lib/i18n/request-locale";
import { consume } from "@/lib/data/rate-limit";
import { getSession } from "@/lib/web/session";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const user = await getSession();
  if (!user) return apiError("signedOut");
  await consume("export", user.id);
  return json(await consentReceipt(user, await currentLocale()), {
    headers: { "Content-Disposition": 'attachment; filename="consent-receipt.json"' },
  });
});
