import { exportMyData } from "@/lib/use-cases/account";
import { currentLocale } from "@/lib/i18n/request-locale";
import { apiError, json, route } from "@/lib/web/http";
import { consume } from "@/lib/data/rate-limit";
import { getSession } from "@/lib/web/session";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const user = await getSession();
  if (!user) return apiError("signedOut");
  await consume("export", user.id);
  const data = await exportMyData(user, await currentLocale());
  return json(data, {
    headers: { "Content-Disposition": `attachment; filename="my-data-${data.exportedAt.slice(0, 10)}.json"` },
  });
});
