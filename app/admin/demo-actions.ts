"use server";
// The demo's report filler (components/demo-report-filler.tsx), the admin page's only action. A file
// of its own, named for the demo, so a reader sees at once that it exists only there: it needs an
// admin, and fillDemoReport refuses outside demo mode (or a request a proxy forwarded).
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { formatCount } from "@/components/admin/activity-chart";
import { serverAction } from "@/lib/web/action";
import type { ActionResult, ActionState } from "@/lib/web/action-result";
import { publishCount } from "@/lib/data/report";
import { fillDemoReport } from "@/lib/demo";

export const fillDemoReportAction = serverAction(
  { caller: "admin", input: (_prev: ActionState) => undefined },
  async (): Promise<ActionResult> => {
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
  },
);
