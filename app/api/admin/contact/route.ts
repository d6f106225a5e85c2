import { adminRoute } from "@/lib/use-cases/admin";
import { lookUpContact } from "@/lib/use-cases/contact";
import { json, jsonError, readJsonObject, route } from "@/lib/web/http";

export const dynamic = "force-dynamic";

// POST { "reference": "7F3A-9C21-04BE", "reason": "security" | "request" | "account" }: the same
// lookup as /admin/contact, for admins only. 200 with the number, 404 for the one refusal.
export const POST = route(async (req, { requestId }) => {
  const admin = await adminRoute({ audit: "contact", log: "contact-api" }, requestId, "contactAdminsOnly");
  if (!admin.ok) return admin.response;
  const body = await readJsonObject(req, 1024);
  const result = await lookUpContact(admin.user, { reference: body.reference, reason: body.reason });
  if (!result.ok)
    return jsonError(
      result.status,
      result.message,
      result.retryAfterSeconds ? { "Retry-After": String(result.retryAfterSeconds) } : {},
    );
  return json({ reference: result.reference, reason: result.reason, phoneNumber: result.e164 });
});
