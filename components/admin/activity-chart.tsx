// Grants and withdrawals over time as an SVG bar chart, rendered on the server (no client script),
// styled only through classes in globals.css because the CSP allows no inline styles. The chart is
// an image to assistive technology; the table beside it carries the same numbers for screen
// readers and keyboard users.
import { FEWER_THAN_5, type Count, type PeriodActivity } from "@/lib/data/report";

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 34, left: 44 };

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

export function ActivityChart({ id, title, data }: { id: string; title: string; data: PeriodActivity[] }) {
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
    if (value === 0) return null;
    // "Fewer than 5" (0 to 4) is drawn as a short hatched stub: visible, but never an exact height.
    const h = typeof value === "number" ? plotH - (y(value) - PAD.top) : Math.max(3, (2 / max) * plotH);
    return (
      <rect
        key={`${kind}-${period}`}
        className={`bar ${kind}${typeof value === "number" ? "" : " suppressed"}`}
        x={x}
        y={PAD.top + plotH - h}
        width={barW}
        height={h}
      >
        <title>{`${period}: ${formatCount(value)} ${kind}`}</title>
      </rect>
    );
  };

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} focusable="false">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>
          {`Bar chart over ${data.length} periods from ${data[0]?.period ?? ""} to ${data.at(-1)?.period ?? ""}: about ${totals.g.toLocaleString("en-US")} granted and ${totals.w.toLocaleString("en-US")} withdrawn in periods with 5 or more (counts rounded to the nearest 10)${suppressed ? "; periods with fewer than 5 are drawn as hatched stubs" : ""}. The table that follows lists every value.`}
        </desc>
        {[0, max / 2, max].map((t) => (
          <g key={t} className="axis">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} className="grid" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end">
              {t.toLocaleString("en-US")}
            </text>
          </g>
        ))}
        {data.map((d, i) => {
          const x0 = PAD.left + i * group + group * 0.1;
          return (
            <g key={d.period}>
              {bar(d.granted, x0, "granted", d.period)}
              {bar(d.withdrawn, x0 + barW, "withdrawn", d.period)}
              {i % labelEvery === 0 && (
                <text
                  className="axis"
                  x={PAD.left + i * group + group / 2}
                  y={HEIGHT - PAD.bottom + 16}
                  textAnchor="middle"
                >
                  {periodLabel(d.period)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span className="legend granted">Granted</span> <span className="legend withdrawn">Withdrawn</span>
        {suppressed && <span className="legend suppressed">Fewer than 5</span>}
      </figcaption>
    </figure>
  );
}

/** The table beside a chart, closed until asked for (a per-day table is 28 rows). */
export function CollapsedActivityTable({ caption, data }: { caption: string; data: PeriodActivity[] }) {
  return (
    <details className="table">
      <summary>Table: {caption.charAt(0).toLowerCase() + caption.slice(1)}</summary>
      <ActivityTable caption={caption} data={data} />
    </details>
  );
}

export function ActivityTable({ caption, data }: { caption: string; data: PeriodActivity[] }) {
  return (
    <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Period (UTC)</th>
            <th scope="col" className="num">
              Granted
            </th>
            <th scope="col" className="num">
              Withdrawn
            </th>
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.period}>
              <th scope="row">{d.period}</th>
              <td className="num">{formatCount(d.granted)}</td>
              <td className="num">{formatCount(d.withdrawn)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
