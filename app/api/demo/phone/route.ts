import { demoRefusal, shareDemoPhone } from "@/lib/demo";
import { apiError, json, jsonError, route } from "@/lib/web/http";
import { getSession } from "@/lib/web/session";

/** POST (demo mode only): the simulated phone sharing of /demo/phone, for scripts. 404 outside demo mode. */
export const POST = route(async (req) => {
  const refusal = demoRefusal(req.headers);
  if (refusal) return jsonError(refusal.status, refusal.message);
  const user = await getSession();
  if (!user) return apiError("signedOut");
  const result = await shareDemoPhone(user, req.headers);
  if (result.ok) return json({ stored: result.stored, verified: result.verified });
  return jsonError(result.reason === "refused" ? result.status : result.reason === "taken" ? 409 : 422, result.message);
});
