import { NextResponse } from "next/server";
import { startOidc } from "@/lib/use-cases/auth";
import { apiError, jsonError, NO_STORE, route } from "@/lib/web/http";
import { securityEvent } from "@/lib/core/log";
import { clientAddress, consume } from "@/lib/data/rate-limit";

// A plain link, not a form: a form's redirect to Telegram would need form-action in the CSP.
// Another site may not start a flow in the user's name (its navigations say cross-site).
export const GET = route(async (req, { requestId }) => {
  const client = clientAddress(req.headers);
  if (client.trusted) await consume("oidcAddress", client.address);
  const site = req.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") {
    securityEvent("oidc.refused", requestId, { reason: "cross_site_start" });
    return apiError("oidcFromOwnPages");
  }
  const intent = new URL(req.url).searchParams.get("intent") === "phone" ? "phone" : "login";
  const result = await startOidc(intent, requestId);
  if (!result.ok) return jsonError(result.status, result.message);
  return NextResponse.redirect(result.location, { status: 303, headers: NO_STORE });
});
