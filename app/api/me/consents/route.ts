import { z } from "zod";
import { saveDecisions } from "@/lib/use-cases/account";
import { apiError, json, jsonError, readJsonObject, route } from "@/lib/web/http";
import { currentLocale } from "@/lib/i18n/request-locale";

const Body = z.strictObject({
  purposes: z
    .record(z.string().max(64), z.boolean())
    .refine((p) => Object.keys(p).length > 0 && Object.keys(p).length <= 50, "name at least one purpose"),
  // The language the client showed the purposes in; else the request's own (cookie, Accept-Language).
  locale: z.string().max(35).optional(),
});

// The same use case as the consent page's form: a first sign-in finishes here for API clients, a
// signed-in user's decisions are applied. The consent limit's RateLimitedError becomes a 429 in route().
export const PUT = route(async (req, { requestId }) => {
  const parsed = Body.safeParse(await readJsonObject(req));
  if (!parsed.success) return jsonError(400, 'Send { "purposes": { "<purposeId>": true or false } }.');
  const saved = await saveDecisions(
    parsed.data.purposes,
    "api",
    requestId,
    parsed.data.locale ?? (await currentLocale()),
  );
  if (!saved.ok) return saved.reason === "no-sign-in" ? apiError("signedOut") : jsonError(400, saved.message);
  if (saved.created) return json({ created: true, next: "/settings" });
  return json({ changed: saved.changed, erased: saved.erased });
});
