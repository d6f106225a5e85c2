import { adminReportResponse } from "@/lib/use-cases/admin";
import { route } from "@/lib/web/http";

export const dynamic = "force-dynamic";

export const GET = route((req, { requestId }) => adminReportResponse(req, requestId));
