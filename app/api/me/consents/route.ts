import { z } from "zod";
import { finishPendingSignIn } from "@/lib/account";
import { setConsents } from "@/lib/data/consents";
import { json, jsonError, readJsonObject, route } from "@/lib/http";
import { securityEvent } from "@/lib/log";
import { consume } from "@/lib/rate-limit";
import { getPendingSignIn, getSession } from "@/lib/session";

const Body = z.strictObject({
  purposes: z.record(z.string().max(64), z.boolean()).refine((p) => Object.keys(p).length > 0 && Object.keys(p).length <= 50, "name at least one purpose"),
});

export const PUT = route(async (req, { requestId }) => {
  const parsed = Body.safeParse(await readJsonObject(req));
  if (!parsed.success) return jsonError(400, 'Send { "purposes": { "<purposeId>": true or false } }.');
  const user = await getSession();
  if (!user) {
    // A first sign-in finishes here for API clients, as the consent page does for people.
    const pending = await getPendingSignIn();
    if (!pending) return jsonError(401, "Sign in first.");
    await consume("consent", `pending:${pending.telegramId}`);
    const created = await finishPendingSignIn(pending, parsed.data.purposes, "api");
    if (!created.ok) return jsonError(400, created.message);
    securityEvent("consent.changed", requestId, { created: true });
    return json({ created: true, next: "/settings" });
  }
  await consume("consent", user.id);
  const result = await setConsents(user.id, parsed.data.purposes, "api");
  if (!result.ok) return jsonError(400, result.message);
  securityEvent("consent.changed", requestId, { changes: result.changed.length });
  return json({ changed: result.changed, erased: result.erased });
});
