// The report's activity section: grants and withdrawals over time as SVG bar charts, each beside a
// table of the same numbers, for all purposes and then each purpose. Rendered on the server (no
// client script) and styled only through classes in globals.css, because the CSP allows no inline
// styles. A chart is an image to assistive technology; the table beside it carries the same numbers
// for screen readers and keyboard users.
//
// Written as markup, not as React elements: seven scopes of 40 periods are about 3,000 elements and
// 150 KB, which React walked twice per request (the server component payload, then the HTML from it)
// for half of the admin page's server time at 10,000 people (docs/measurements/pages-cost-log.md).
// As one string the page passes it through once. Every text and attribute value goes through `esc`
// (React's own escaping); activity-chart.test.ts checks that the markup nests and escapes whatever
// the titles and counts.
import {
  ACTIVITY_DAYS,
  ACTIVITY_WEEKS,
  FEWER_THAN_5,
  type Count,
  type PeriodActivity,
  type PurposeActivity,
} from "@/lib/domain/report-activity";

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 34, left: 44 };

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };
/** React's escaping of text and attribute values. */
const esc = (s: string | number) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

export function formatCount(c: Count): string {
  return typeof c === "number" ? c.toLocaleString("en-US") : c;
}

function periodLabel(period: string): string {
  // "2026-11-29" -> "11-29"; "2026-W48" -> "W48"
  return period.slice(5);
}

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

export function activityChart(id: string, title: string, data: PeriodActivity[]): string {
  const numeric = (c: Count) => (typeof c === "number" ? c : 0);
  const max = niceMax(Math.max(0, ...data.flatMap((d) => [numeric(d.granted), numeric(d.withdrawn)])));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const group = plotW / Math.max(1, data.length);
  const barW = Math.max(1, group * 0.38);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const labelEvery = data.length > 14 ? 7 : 1;
  const totals = data.reduce((acc, d) => ({ g: acc.g + numeric(d.granted), w: acc.w + numeric(d.withdrawn) }), {
    g: 0,
    w: 0,
  });
  const suppressed = data.some((d) => d.granted === FEWER_THAN_5 || d.withdrawn === FEWER_THAN_5);

  const bar = (value: Count, x: number, kind: "granted" | "withdrawn", period: string) => {
    if (value === 0) return "";
    // "Fewer than 5" (0 to 4) is drawn as a short hatched stub: visible, but never an exact height.
    const h = typeof value === "number" ? plotH - (y(value) - PAD.top) : Math.max(3, (2 / max) * plotH);
    const cls = `bar ${kind}${typeof value === "number" ? "" : " suppressed"}`;
    return `<rect class="${cls}" x="${x}" y="${PAD.top + plotH - h}" width="${barW}" height="${h}"><title>${esc(`${period}: ${formatCount(value)} ${kind}`)}</title></rect>`;
  };
  const desc = `Bar chart over ${data.length} periods from ${data[0]?.period ?? ""} to ${data.at(-1)?.period ?? ""}: about ${totals.g.toLocaleString("en-US")} granted and ${totals.w.toLocaleString("en-US")} withdrawn in periods with 5 or more (counts rounded to the nearest 10)${suppressed ? "; periods with fewer than 5 are drawn as hatched stubs" : ""}. The table that follows lists every value.`;
  const axes = [0, max / 2, max]
    .map(
      (t) =>
        `<g class="axis"><line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(t)}" y2="${y(t)}" class="grid"></line><text x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end">${esc(t.toLocaleString("en-US"))}</text></g>`,
    )
    .join("");
  const bars = data
    .map((d, i) => {
      const x0 = PAD.left + i * group + group * 0.1;
      const label =
        i % labelEvery === 0
          ? `<text class="axis" x="${PAD.left + i * group + group / 2}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${esc(periodLabel(d.period))}</text>`
          : "";
      return `<g>${bar(d.granted, x0, "granted", d.period)}${bar(d.withdrawn, x0 + barW, "withdrawn", d.period)}${label}</g>`;
    })
    .join("");
  const ids = esc(id);
  return (
    `<figure class="chart"><svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${ids}-title ${ids}-desc" focusable="false">` +
    `<title id="${ids}-title">${esc(title)}</title><desc id="${ids}-desc">${esc(desc)}</desc>${axes}${bars}</svg>` +
    `<figcaption><span class="legend granted">Granted</span> <span class="legend withdrawn">Withdrawn</span>` +
    `${suppressed ? `<span class="legend suppressed">Fewer than 5</span>` : ""}</figcaption></figure>`
  );
}

export function activityTable(caption: string, data: PeriodActivity[]): string {
  const rows = data
    .map(
      (d) =>
        `<tr><th scope="row">${esc(d.period)}</th><td class="num">${esc(formatCount(d.granted))}</td><td class="num">${esc(formatCount(d.withdrawn))}</td></tr>`,
    )
    .join("");
  return (
    `<div class="table-scroll" role="region" aria-label="${esc(caption)}" tabindex="0"><table><caption>${esc(caption)}</caption>` +
    `<thead><tr><th scope="col">Period (UTC)</th><th scope="col" class="num">Granted</th><th scope="col" class="num">Withdrawn</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div>`
  );
}

/** The table beside a chart, closed until asked for (a per-day table is 28 rows). */
export function collapsedActivityTable(caption: string, data: PeriodActivity[]): string {
  return `<details class="table"><summary>Table: ${esc(caption.charAt(0).toLowerCase() + caption.slice(1))}</summary>${activityTable(caption, data)}</details>`;
}

type Scope = { title: (unit: string) => string; caption: (unit: string) => string };

/** A chart and its table for days beside the same for weeks (one column on a phone). */
function activityPair(id: string, scope: Scope, activity: PurposeActivity): string {
  const half = (suffix: string, heading: string, unit: string, data: PeriodActivity[]) =>
    `<div><h4 class="muted">${esc(heading)}</h4>${activityChart(`${id}-${suffix}`, scope.title(unit), data)}${collapsedActivityTable(scope.caption(unit), data)}</div>`;
  return (
    `<div class="pair">` +
    half("days", `Per day, last ${ACTIVITY_DAYS} days`, `per day, last ${ACTIVITY_DAYS} days`, activity.days) +
    half(
      "weeks",
      `Per ISO week, last ${ACTIVITY_WEEKS} weeks`,
      `per ISO week, last ${ACTIVITY_WEEKS} weeks`,
      activity.weeks,
    ) +
    `</div>`
  );
}

/** The top of the report's activity section: its heading, then all purposes' charts and tables. */
export function allPurposesActivityMarkup(activity: PurposeActivity): string {
  const all = activityPair(
    "chart-all",
    {
      title: (unit) => `Consents granted and withdrawn ${unit}, all purposes`,
      caption: (unit) => `${unit.charAt(0).toUpperCase()}${unit.slice(1)}, all purposes`,
    },
    activity,
  );
  return `<h2 id="activity">Consents granted and withdrawn over time</h2><h3>All purposes</h3>${all}`;
}

/** What a purpose's folded part of the section holds once opened: its charts and tables. */
export function purposeActivityMarkup(p: { id: string; title: string; activity: PurposeActivity }): string {
  return activityPair(
    `chart-${p.id}`,
    { title: (unit) => `${p.title}: granted and withdrawn ${unit}`, caption: (unit) => `${p.title}: ${unit}` },
    p.activity,
  );
}

/**
 * The section's numbers as they cross to the browser: every scope has the same periods, so they are
 * sent once, and each scope's counts follow in that order (days, then weeks). As objects per period
 * they were 16.8 KB of the page's payload at 10,000 people, each value visited by React's serialiser
 * and read back by the server's own render of the HTML.
 */
export type ActivityPeriods = { days: string[]; weeks: string[] };
export type ScopeCounts = { granted: Count[]; withdrawn: Count[] };
export type SectionNumbers = {
  periods: ActivityPeriods;
  all: ScopeCounts;
  purposes: { id: string; title: string; counts: ScopeCounts }[];
};

function periodsOf(a: PurposeActivity): ActivityPeriods {
  return { days: a.days.map((d) => d.period), weeks: a.weeks.map((w) => w.period) };
}

function countsOf(a: PurposeActivity): ScopeCounts {
  const all = [...a.days, ...a.weeks];
  return { granted: all.map((p) => p.granted), withdrawn: all.map((p) => p.withdrawn) };
}

/** The section's numbers for the browser; refuses a purpose whose periods are not the section's. */
export function sectionNumbers(
  all: PurposeActivity,
  purposes: readonly { id: string; title: string; activity: PurposeActivity }[],
): SectionNumbers {
  const periods = periodsOf(all);
  const same = JSON.stringify(periods);
  for (const p of purposes)
    if (JSON.stringify(periodsOf(p.activity)) !== same) throw new Error(`activity of ${p.id}: other periods`);
  return {
    periods,
    all: countsOf(all),
    purposes: purposes.map((p) => ({ id: p.id, title: p.title, counts: countsOf(p.activity) })),
  };
}

/** A scope's activity again, from the periods and its counts as sectionNumbers gives them. */
export function scopeActivity(periods: ActivityPeriods, c: ScopeCounts): PurposeActivity {
  const at = (period: string, i: number): PeriodActivity => ({
    period,
    granted: c.granted[i]!,
    withdrawn: c.withdrawn[i]!,
  });
  return {
    days: periods.days.map((p, i) => at(p, i)),
    weeks: periods.weeks.map((p, i) => at(p, periods.days.length + i)),
  };
}

/** The summary of a purpose's fold in the section. */
export const purposeSummary = (title: string) => `${title}: per day and per week`;
