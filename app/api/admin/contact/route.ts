import { lookUpContact, recordContactRefusal } from "@/lib/contact";
import { json, jsonError, readJsonObject, route } from "@/lib/http";
import { securityEvent } from "@/lib/log";
import { getSession, isAdmin } from "@/lib/session";

export const dynamic = "force-dynamic";

// POST { "reference": "7F3A-9C21-04BE", "reason": "security" | "request" | "account" }: the same
// lookup as /admin/contact, for admins only. 200 with the number, 404 for the one refusal.
export const POST = route(async (req, { requestId }) => {
  const user = await getSession();
  if (!user || !isAdmin(user)) {
    if (user) await recordContactRefusal(user);
    securityEvent("admin.refused", requestId, { channel: "contact-api", signedIn: user !== null });
    return user ? jsonError(403, "Phone lookups are for the site's admins only.") : jsonError(401, "Sign in first.");
  }
  const body = await readJsonObject(req, 1024);
  const result = await lookUpContact(user, { reference: body.reference, reason: body.reason });
  if (!result.ok)
    return jsonError(
      result.status,
      result.message,
      result.retryAfterSeconds ? { "Retry-After": String(result.retryAfterSeconds) } : {},
    );
  return json({ reference: result.reference, reason: result.reason, phoneNumber: result.e164 });
});
