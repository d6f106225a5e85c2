import "server-only";
// The admin API's side of the admin check, and the report's two download formats. Pages and
// actions use requireAdmin() from lib/web/session.ts; route handlers answer 401/403 as JSON instead.
import type { SessionUser } from "../data/sessions";
import { reportToCsv, viewMinimizationReport } from "../data/report";
import type { ErrorCode } from "../web/errors";
import { apiError, json, NO_STORE } from "../web/http";
import { checkAdmin } from "../web/session";

/**
 * checkAdmin for a route handler: the admin, or the contract's answer for everyone else (401 signed
 * out, 403 with `refusal` for a signed-in non-admin).
 */
export async function adminRoute(
  channel: { audit: string; log: string },
  requestId: string,
  refusal: ErrorCode,
): Promise<{ ok: true; user: SessionUser } | { ok: false; response: Response }> {
  const check = await checkAdmin(channel, requestId);
  if (check.ok) return check;
  return { ok: false, response: apiError(check.signedIn ? refusal : "signedOut") };
}

export async function adminReportResponse(req: Request, requestId: string): Promise<Response> {
  const format = new URL(req.url).searchParams.get("format") ?? "json";
  const admin = await adminRoute(
    { audit: format === "csv" ? "csv" : "json", log: "api" },
    requestId,
    "reportAdminsOnly",
  );
  if (!admin.ok) return admin.response;
  const { user } = admin;
  if (format !== "json" && format !== "csv") return apiError("reportFormat");
  const report = await viewMinimizationReport(user.id, format);
  // Both downloads are named by the day they were generated, so two of them never overwrite each other.
  if (format === "json")
    return json(report, {
      headers: {
        "Content-Disposition": `attachment; filename="minimization-report-${report.generatedAt.slice(0, 10)}.json"`,
      },
    });
  return new Response(reportToCsv(report), {
    status: 200,
    headers: {
      ...NO_STORE,
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="minimization-report-${report.generatedAt.slice(0, 10)}.csv"`,
    },
  });
}
