"use client";
// The report's activity section, set from its numbers. A client component for what reaches the
// browser, not for anything it does there: a server component's markup travels twice, as the HTML
// and again inside the component payload inlined beside it (React reads that payload to hydrate),
// and for this section that was 150 KB of markup each time at 10,000 people. Here the payload carries
// only the numbers (sectionNumbers: the periods once, then each scope's counts) and titles; the markup is written on the server into the HTML, and again in the
// browser while hydrating, where React keeps the HTML it finds (an element set through
// dangerouslySetInnerHTML is not compared). activity-chart.ts says why the markup is a string.
//
// Each purpose's charts sit in a fold that starts closed, and are drawn when it is first opened: in
// the HTML they were six of the section's seven scopes, 133 KB of a 210 KB page that an admin
// mostly reads with every fold shut (docs/measurements/pages-cost-log.md, 8 December). Their numbers
// are already here, so opening one draws it at once. Without JavaScript a fold holds a link to the
// report with that purpose's fold open and drawn by the server (`?activity=<purpose>`).
import { useState } from "react";
import {
  allPurposesActivityMarkup,
  purposeActivityMarkup,
  purposeSummary,
  scopeActivity,
  type ActivityPeriods,
  type SectionNumbers,
} from "./activity-chart";

/** The address of the report with one purpose's fold open, for a browser without JavaScript. */
const openActivityHref = (id: string) => `/admin?activity=${encodeURIComponent(id)}#activity-${encodeURIComponent(id)}`;

function PurposeFold({
  scope,
  periods,
  open,
}: {
  scope: SectionNumbers["purposes"][number];
  periods: ActivityPeriods;
  open: boolean;
}) {
  const [drawn, setDrawn] = useState(open);
  return (
    <details
      className="purpose"
      id={`activity-${scope.id}`}
      open={open}
      onToggle={(e) => {
        if (e.currentTarget.open) setDrawn(true);
      }}
    >
      <summary>{purposeSummary(scope.title)}</summary>
      {drawn ? (
        <div
          dangerouslySetInnerHTML={{
            __html: purposeActivityMarkup({ ...scope, activity: scopeActivity(periods, scope.counts) }),
          }}
        />
      ) : (
        <p>
          <a href={openActivityHref(scope.id)}>Show the charts and tables of “{scope.title}”</a>
        </p>
      )}
    </details>
  );
}

export function ActivitySection({
  numbers,
  open,
}: {
  numbers: SectionNumbers;
  /** The purpose whose fold the server opens and draws (`?activity=`); null: every fold closed. */
  open: string | null;
}) {
  const { periods } = numbers;
  return (
    <section className="card" aria-labelledby="activity">
      <div dangerouslySetInnerHTML={{ __html: allPurposesActivityMarkup(scopeActivity(periods, numbers.all)) }} />
      {numbers.purposes.map((p) => (
        <PurposeFold key={p.id} scope={p} periods={periods} open={p.id === open} />
      ))}
    </section>
  );
}
