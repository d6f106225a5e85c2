import { adminReportResponse } from "@/lib/admin";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route((req, { requestId }) => adminReportResponse(req, requestId));
