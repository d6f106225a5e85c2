// The report as long-format CSV (GET /api/admin/report?format=csv).
import { SUPPRESSED, type MinimizationReport } from "./types";

export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  // Quote everything that could break a row; a leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The same report as long-format CSV: one number per row, so spreadsheets can pivot it. */
export function reportToCsv(r: MinimizationReport): string {
  const rows: unknown[][] = [["section", "item", "measure", "period", "value"]];
  rows.push(
    ["summary", "", "generated_at", "", r.generatedAt],
    ["summary", "", "users", "", r.users],
    ["summary", "", "dropped_writes", "", r.droppedWrites],
    ["summary", "", "unknown_fields_stored", "", r.unknownFieldsStored],
  );
  rows.push(
    ["summary", "", "consent_check_checked_at", "", r.consentCheck.checkedAt],
    ["summary", "", "consent_check_finished_at", "", r.consentCheck.finishedAt],
    ["summary", "", "consent_check_values_checked", "", r.consentCheck.valuesChecked],
    ["summary", "", "consent_check_overdue", "", r.consentCheck.overdue],
  );
  for (const f of r.fields) {
    rows.push(
      ["field", f.field, "stored", "", f.stored],
      ["field", f.field, "purposes", "", f.purposes.join(" ")],
      ["field", f.field, "consented_percent", "", f.consentedPercent ?? SUPPRESSED],
    );
    rows.push(
      ["field", f.field, "without_live_consent", "", f.withoutLiveConsent],
      ["field", f.field, "past_retention", "", f.pastRetention],
    );
  }
  for (const p of r.purposes) {
    rows.push(
      ["purpose", p.id, "version_in_force", "", p.versionInForce],
      ["purpose", p.id, "active_consents", "", p.activeConsents],
      ["purpose", p.id, "awaiting_reconsent", "", p.awaitingReconsent],
    );
    for (const [unit, list] of [
      ["day", p.activity.days],
      ["week", p.activity.weeks],
    ] as const) {
      for (const a of list)
        rows.push(
          ["purpose", p.id, `granted_per_${unit}`, a.period, a.granted],
          ["purpose", p.id, `withdrawn_per_${unit}`, a.period, a.withdrawn],
        );
    }
  }
  for (const [unit, list] of [
    ["day", r.activity.days],
    ["week", r.activity.weeks],
  ] as const) {
    for (const a of list)
      rows.push(
        ["activity", "all", `granted_per_${unit}`, a.period, a.granted],
        ["activity", "all", `withdrawn_per_${unit}`, a.period, a.withdrawn],
      );
  }
  rows.push(
    ["retention", "", "past_retention_total", "", r.retention.pastRetentionTotal],
    ["retention", "", "dormant_accounts", "", r.retention.dormantAccounts],
  );
  rows.push(
    ["retention", "", "next_purge_at", "", r.retention.nextPurgeAt ?? ""],
    ["retention", "", "last_purge_started_at", "", r.retention.lastPurge?.startedAt ?? ""],
  );
  for (const [k, v] of Object.entries(r.retention.lastPurge?.counts ?? {}))
    rows.push(["retention", k, "last_purge_count", "", v]);
  rows.push(["erasures", "", "total", "", r.erasures.total]);
  for (const w of r.erasures.weeks) rows.push(["erasures", "", "erased_per_week", w.period, w.erased]);
  for (const m of r.erasures.months) rows.push(["erasures", "", "erased_per_month", m.period, m.erased]);
  rows.push(
    ["keys", r.keys.currentKeyId, "current_percent", "", r.keys.currentPercent ?? SUPPRESSED],
    ["keys", r.keys.currentKeyId, "users_on_older_keys", "", r.keys.usersOnOlderKeys],
  );
  if (r.ledgerCheck)
    rows.push(
      ["ledger", "", "last_verified_at", "", r.ledgerCheck.checkedAt],
      ["ledger", "", "chain_intact", "", r.ledgerCheck.chainIntact ? "yes" : "no"],
      ["ledger", "", "states_checked", "", r.ledgerCheck.statesChecked],
      ["ledger", "", "problems", "", r.ledgerCheck.problems],
    );
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
