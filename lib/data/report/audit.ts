import "server-only";
// Who looked at the report: audit rows with the channel, never its content. Refusals are recorded
// by the admin check (checkAdmin in lib/web/session.ts).
import { recordEvent } from "../audit";
import type { ReportChannel } from "./types";

/** The viewing of the report, recorded before it is read (who and when; never any of its content). */
export async function recordReportView(adminUserId: string, channel: ReportChannel): Promise<void> {
  await recordEvent("admin.report_viewed", adminUserId, { channel });
}
