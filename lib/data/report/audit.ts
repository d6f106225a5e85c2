import "server-only";
// Who looked at the report, and who was refused it: audit rows with the channel, never its content.
import { db } from "../../db";
import { recordAudit } from "../audit";
import type { ReportChannel } from "./types";

/** A signed-in user who is not an admin tried an admin page or route. */
export async function recordAdminRefusal(userId: string, channel: ReportChannel | "action"): Promise<void> {
  await recordAudit(await db(), "admin.refused", userId, { channel });
}

/** The viewing of the report, recorded before it is read (who and when; never any of its content). */
export async function recordReportView(adminUserId: string, channel: ReportChannel): Promise<void> {
  await recordAudit(await db(), "admin.report_viewed", adminUserId, { channel });
}
