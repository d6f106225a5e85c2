import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FEWER_THAN_5, type Count, type PeriodActivity, type PurposeActivity } from "@/lib/data/report";
import {
  allPurposesActivityMarkup,
  formatCount,
  purposeActivityMarkup,
  scopeActivity,
  sectionNumbers,
} from "./activity-chart";

// The activity section is written as a string and set as the section's HTML, so nothing React
// would have done for it (escaping, closing what it opens) happens unless this module does it.

const KNOWN = new Set(
  "h2 h3 h4 div details summary figure svg title desc g line text rect figcaption span table caption thead tbody tr th td".split(
    " ",
  ),
);

/** The markup's tags in order, checked to nest; the text between them, unescaped. */
function parse(html: string): { texts: string[]; tags: string[] } {
  const stack: string[] = [];
  const tags: string[] = [];
  const texts: string[] = [];
  const re = /<(\/?)([a-z0-9]+)((?:\s+[a-zA-Z0-9-]+="[^"<>]*")*)\s*>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(html))) {
    at = re.lastIndex;
    if (m[4] !== undefined) {
      // Text: every < and > in it must have been escaped, so the parser cannot take it for a tag.
      expect(m[4]).not.toMatch(/[<>]/);
      texts.push(
        m[4]
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">")
          .replace(/&quot;/g, '"')
          .replace(/&#x27;/g, "'")
          .replace(/&amp;/g, "&"),
      );
      continue;
    }
    const [, close, name] = m as unknown as [string, string, string];
    expect(KNOWN.has(name), `unexpected tag <${name}>`).toBe(true);
    tags.push(`${close}${name}`);
    if (close) expect(stack.pop(), `</${name}> closes something else`).toBe(name);
    else stack.push(name);
  }
  expect(at, `unparsed markup at ${html.slice(at, at + 40)}`).toBe(html.length);
  expect(stack).toEqual([]);
  return { texts, tags };
}

const count = fc.oneof(
  fc.constant<Count>(0),
  fc.constant<Count>(FEWER_THAN_5),
  fc.nat(100_000).map((n) => n * 10),
);
const periods = (n: number, week: boolean) =>
  fc.array(fc.record({ granted: count, withdrawn: count }), { minLength: n, maxLength: n }).map((rows) =>
    rows.map((r, i): PeriodActivity => ({
      period: week ? `2026-W${String(10 + i).padStart(2, "0")}` : `2026-11-${String(1 + i).padStart(2, "0")}`,
      ...r,
    })),
  );
const activity: fc.Arbitrary<PurposeActivity> = fc.record({ days: periods(28, false), weeks: periods(12, true) });
// Titles from anywhere, markup characters included: the catalogue is ours, but the markup must not
// depend on that.
const title = fc.oneof(fc.string(), fc.constantFrom(`</summary><script>alert(1)</script>`, `"><img src=x>`, "a & b"));

describe("the admin report's activity markup", () => {
  it("nests every tag it opens and escapes every text, whatever the titles and counts", () => {
    fc.assert(
      fc.property(
        activity,
        fc.array(fc.record({ id: fc.constantFrom("display_name", "phone_contact"), title, activity }), {
          maxLength: 3,
        }),
        (all, purposes) => {
          // The section's top, then each purpose's fold as drawn once opened (its <details> and summary
          // are React elements, escaped by React).
          const html = allPurposesActivityMarkup(all) + purposes.map(purposeActivityMarkup).join("");
          const { texts, tags } = parse(html);
          expect(tags).not.toContain("script");
          // Each purpose's title is in its tables' captions, as given.
          for (const p of purposes) expect(texts).toContain(`${p.title}: per day, last 28 days`);
          // Every figure is in a table row beside its period, as the page publishes it.
          for (const d of [...all.days, ...all.weeks])
            expect(html).toContain(
              `<tr><th scope="row">${d.period}</th><td class="num">${formatCount(d.granted)}</td><td class="num">${formatCount(d.withdrawn)}</td></tr>`,
            );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("draws a bar for every period with a count, a hatched stub for fewer than 5, none for 0", () => {
    const days: PeriodActivity[] = [
      { period: "2026-11-01", granted: 0, withdrawn: FEWER_THAN_5 },
      { period: "2026-11-02", granted: 1230, withdrawn: 0 },
    ];
    const html = allPurposesActivityMarkup({ days, weeks: [] });
    expect(html.match(/<rect /g)).toHaveLength(2);
    expect(html).toContain(
      `<rect class="bar withdrawn suppressed" x="185.12" y="183" width="111.72" height="3"><title>2026-11-01: fewer than 5 withdrawn</title></rect>`,
    );
    expect(html).toMatch(/<rect class="bar granted" [^>]*><title>2026-11-02: 1,230 granted<\/title><\/rect>/);
    expect(html).toContain(`<span class="legend suppressed">Fewer than 5</span>`);
    // The chart is an image named by its title and description; the table carries the numbers.
    expect(html).toContain(
      `<svg viewBox="0 0 640 220" role="img" aria-labelledby="chart-all-days-title chart-all-days-desc" focusable="false">`,
    );
  });

  it("sends the numbers to the browser as the periods once and each scope's counts, and reads them back whole", () => {
    fc.assert(
      fc.property(activity, fc.array(activity, { maxLength: 3 }), (all, each) => {
        // Every scope of one report has the report's periods; only the counts differ.
        const purposes = each.map((a, i) => ({
          id: `p${i}`,
          title: `P${i}`,
          activity: {
            days: all.days.map((d, j) => ({ ...a.days[j]!, period: d.period })),
            weeks: all.weeks.map((w, j) => ({ ...a.weeks[j]!, period: w.period })),
          },
        }));
        const numbers = sectionNumbers(all, purposes);
        expect(numbers.periods.days).toHaveLength(28);
        expect(scopeActivity(numbers.periods, numbers.all)).toEqual(all);
        numbers.purposes.forEach((p, i) =>
          expect(scopeActivity(numbers.periods, p.counts)).toEqual(purposes[i]!.activity),
        );
        // No period is repeated per scope: the JSON holds each period's name once.
        const json = JSON.stringify(numbers);
        for (const d of all.days) expect(json.split(`"${d.period}"`)).toHaveLength(2);
      }),
      { numRuns: 40 },
    );
    const all = { days: [{ period: "2026-11-01", granted: 10, withdrawn: 0 }], weeks: [] };
    const shifted = { days: [{ period: "2026-11-02", granted: 10, withdrawn: 0 }], weeks: [] };
    expect(() => sectionNumbers(all, [{ id: "x", title: "X", activity: shifted }])).toThrow(/activity of x/);
  });
});
