import { describe, expect, it } from "vitest";
import { csvCell, reportToCsv } from "./csv";
import type { MinimizationReport } from "./types";

describe("csvCell", () => {
  it("leaves plain values alone and quotes what would break a row", () => {
    expect(csvCell(12)).toBe("12");
    expect(csvCell(null)).toBe("");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
  });

  it("defuses a value a spreadsheet would run as a formula", () => {
    for (const s of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"]) expect(csvCell(s)).toBe(`"'${s.replace(/"/g, '""')}"`);
  });
});

const activity = (period: string) => ({ period, granted: 10 as const, withdrawn: "fewer than 5" as const });
const REPORT: MinimizationReport = {
  generatedAt: "2026-11-30T02:00:00.000Z",
  users: 20,
  droppedWrites: 0,
  unknownFieldsStored: 0,
  ledgerCheck: null,
  consentCheck: {
    checkedAt: "2026-11-30T01:00:00.000Z",
    finishedAt: "2026-11-30T01:00:01.000Z",
    valuesChecked: 40,
    overdue: false,
  },
  fields: [
    {
      field: "first_name",
      label: "First name",
      stored: 10,
      purposes: ["display_name"],
      seenOnceBy: [],
      consentedPercent: null,
      consentedPercentIsLowerBound: false,
      withoutLiveConsent: 0,
      pastRetention: "fewer than 5",
    },
  ],
  purposes: [
    {
      id: "display_name",
      title: "Greet you, by name",
      required: false,
      fields: ["first_name"],
      retentionDays: 365,
      versionInForce: "v1",
      versionsInForce: { en: "v1" },
      activeConsents: 10,
      activePercent: 50,
      awaitingReconsent: 0,
      activity: { days: [activity("2026-11-30")], weeks: [activity("2026-W49")] },
    },
  ],
  activity: { days: [activity("2026-11-30")], weeks: [activity("2026-W49")] },
  retention: {
    pastRetentionTotal: "fewer than 5",
    dormantAccounts: 0,
    lastPurge: null,
    nextPurgeAt: null,
    purgeIntervalMinutes: 0,
  },
  erasures: { total: 10, weeks: [{ period: "2026-W49", erased: 10 }], months: [{ period: "2026-11", erased: 10 }] },
  keys: { currentKeyId: "k1", currentPercent: null, usersOnOlderKeys: 0 },
  recordsKept: [],
};

describe("reportToCsv", () => {
  const csv = reportToCsv(REPORT);
  const rows = csv.split("\r\n");

  it("writes one figure per row under a fixed header, CRLF-terminated", () => {
    expect(rows[0]).toBe("section,item,measure,period,value");
    expect(csv.endsWith("\r\n")).toBe(true);
    for (const row of rows.slice(1, -1)) expect(row.split(",")).toHaveLength(5);
  });

  it("carries every figure, suppressed ones as words", () => {
    expect(rows).toContain("summary,,users,,20");
    expect(rows).toContain("field,first_name,consented_percent,,suppressed (small count)");
    expect(rows).toContain("field,first_name,past_retention,,fewer than 5");
    expect(rows).toContain("purpose,display_name,granted_per_day,2026-11-30,10");
    expect(rows).toContain("purpose,display_name,withdrawn_per_week,2026-W49,fewer than 5");
    expect(rows).toContain("activity,all,granted_per_week,2026-W49,10");
    expect(rows).toContain("erasures,,erased_per_month,2026-11,10");
    expect(rows).toContain("keys,k1,current_percent,,suppressed (small count)");
    expect(rows).toContain("retention,,next_purge_at,,");
  });
});
