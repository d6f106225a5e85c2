"use server";
// The demo's report filler (components/demo-report-filler.tsx). Its own file beside the admin
// page, so the report's own actions stay apart from a demo-only one.
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { formatCount } from "@/components/admin/activity-chart";
import type { ActionState } from "@/lib/action-result";
import { publishCount } from "@/lib/data/report";
import { fillDemoReport } from "@/lib/demo";
import { requireAdmin } from "@/lib/session";

export async function fillDemoReportAction(_prev: ActionState): Promise<ActionState> {
  await requireAdmin("action");
  const result = await fillDemoReport(await headers());
  if (!result.ok) return { ok: false, message: result.message };
  // The report below re-renders in the same answer, so the new counts show at once.
  revalidatePath("/admin");
  const checked = `${result.checkedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return {
    ok: true,
    // The report publishes rounded counts: say so, or "6 deleted" reads false beside the report's "10".
    message: `Added ${result.added} synthetic people (${result.erased} of them later deleted their account, as real people do; the report below rounds every count to the nearest 10, so it shows ${formatCount(publishCount(result.erased))} for them). The consent check ran again at ${checked} and covers them.`,
  };
}
