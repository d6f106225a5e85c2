"use client";
// The report's activity section, set from its numbers. A client component for what reaches the
// browser, not for anything it does there: a server component's markup travels twice, as the HTML
// and again inside the component payload inlined beside it (React reads that payload to hydrate),
// and for this section that was 150 KB of markup each time at 10,000 people. Here the payload carries
// only the numbers and titles; the markup is written once on the server into the HTML, and again in
// the browser while hydrating, where React keeps the HTML it finds (an element set through
// dangerouslySetInnerHTML is not compared). activity-chart.ts says why the markup is a string.
import type { PurposeActivity } from "@/lib/domain/report-activity";
import { activitySectionMarkup } from "./activity-chart";

export function ActivitySection({
  activity,
  purposes,
}: {
  activity: PurposeActivity;
  purposes: readonly { id: string; title: string; activity: PurposeActivity }[];
}) {
  return (
    <section
      className="card"
      aria-labelledby="activity"
      dangerouslySetInnerHTML={{ __html: activitySectionMarkup(activity, purposes) }}
    />
  );
}
