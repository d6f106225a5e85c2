// Demo mode only, on the admin report: fills the report with synthetic people (the seed of
// `npm run seed`) so that its cells are more than "fewer than 5", and says how many of the people
// counted are synthetic. Renders nothing outside demo mode.
import { fillDemoReportAction } from "@/app/admin/demo-actions";
import { countSyntheticPeople, DEMO_FILL_PEOPLE } from "@/lib/demo";
import { env } from "@/lib/core/env";
import { DemoReportFillerForm } from "./demo-report-filler-form";

export async function DemoReportFiller() {
  if (!env().demo) return null;
  const synthetic = await countSyntheticPeople();
  return (
    <section className="card" aria-labelledby="demo-fill">
      <h2 id="demo-fill">Demo: synthetic people</h2>
      <p data-testid="synthetic-people">
        {synthetic === 0
          ? "The demo's few personas make nearly every count below read “fewer than 5”."
          : `This database holds ${synthetic} synthetic people (made by the seed, not real sign-ups); every count in this report includes them.`}
      </p>
      <DemoReportFillerForm people={DEMO_FILL_PEOPLE} action={fillDemoReportAction} />
    </section>
  );
}
