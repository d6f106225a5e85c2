import "server-only";
// The admin report's route-handler side: who may read it, and its two download formats. Pages use
// requireAdmin() from lib/session.ts; route handlers answer 401/403 as JSON instead of a page.
import { recordAdminRefusal, reportToCsv, viewMinimizationReport } from "./data/report";
import { json, jsonError, NO_STORE } from "./http";
import { securityEvent } from "./log";
import { withinLimit } from "./rate-limit";
import { getSession, isAdmin } from "./session";

export async function adminReportResponse(req: Request, requestId: string): Promise<Response> {
  const user = await getSession();
  const format = new URL(req.url).searchParams.get("format") ?? "json";
  if (!user || !isAdmin(user)) {
    // Bounded per user: each refusal would otherwise add an audit row, as often as anyone asks.
    if (user && (await withinLimit("adminRefused", user.id)))
      await recordAdminRefusal(user.id, format === "csv" ? "csv" : "json");
    securityEvent("admin.refused", requestId, { channel: "api", signedIn: user !== null });
    return user ? jsonError(403, "This report is for the site's admins only.") : jsonError(401, "Sign in first.");
  }
  if (format !== "json" && format !== "csv") return jsonError(400, "Ask for format=json (the default) or format=csv.");
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
