import { ActivityChart, ActivityTable, formatCount } from "@/components/admin/activity-chart";
import { DemoReportFiller } from "@/components/demo-report-filler";
import { ACTIVITY_DAYS, ACTIVITY_WEEKS, viewMinimizationReport } from "@/lib/data/report";
import { requireAdmin } from "@/lib/session";

export const metadata = { title: "Data-minimization report · Consent-first login" };

const percent = (p: number | null) => (p === null ? "suppressed (small count)" : `${p}%`);
const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "unknown");

export default async function AdminReportPage() {
  const admin = await requireAdmin();
  const report = await viewMinimizationReport(admin.id, "page");
  const violations = report.fields.filter((f) => f.withoutLiveConsent !== 0);
  return (
    <>
      <h1>Data-minimization report</h1>
      <p className="muted">
        Generated {when(report.generatedAt)}. Counts from 1 to 4 are shown as “fewer than 5” so that no one can be singled out. No personal value appears here.
      </p>
      <p className="row">
        <a className="button secondary" href="/api/admin/report" download>Download JSON</a>
        <a className="button secondary" href="/api/admin/report?format=csv" download>Download CSV</a>
      </p>
      <DemoReportFiller />

      <section className="card" aria-labelledby="summary">
        <h2 id="summary">Summary</h2>
        <dl className="fields">
          <dt>Accounts</dt>
          <dd data-testid="users">{formatCount(report.users)}</dd>
          <dt>Values stored without a live consent</dt>
          <dd data-testid="violations" className={violations.length ? "bad" : "good"}>
            {violations.length ? `${violations.map((f) => `${f.label}: ${formatCount(f.withoutLiveConsent)}`).join("; ")}` : "0 (none)"}
          </dd>
          <dt>Last checked for values without a live consent</dt>
          <dd data-testid="consent-check" className={report.consentCheck.overdue ? "bad" : undefined}>
            {when(report.consentCheck.checkedAt)}, {formatCount(report.consentCheck.valuesChecked)} stored values looked at
            {report.consentCheck.overdue ? " (overdue: the check runs with every purge, and none has run it lately)" : " (runs with every purge)"}
          </dd>
          <dt>Values under a field name the app does not know</dt>
          <dd data-testid="unknown-fields" className={report.unknownFieldsStored === 0 ? "good" : "bad"}>{formatCount(report.unknownFieldsStored)}</dd>
          <dt>Values past their retention period</dt>
          <dd data-testid="past-retention">{formatCount(report.retention.pastRetentionTotal)}</dd>
          <dt>Fields offered by Telegram and not stored</dt>
          <dd>{formatCount(report.droppedWrites)}</dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="fields">
        <h2 id="fields">Per field</h2>
        <div className="table-scroll" role="region" aria-labelledby="fields" tabIndex={0}>
          <table>
            <caption>Stored values per field, the purposes that cover them, and checks (without live consent: as of {when(report.consentCheck.checkedAt)})</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col" className="num">Stored</th>
                <th scope="col">Covered by</th>
                <th scope="col" className="num">Users who consented</th>
                <th scope="col" className="num">Without live consent</th>
                <th scope="col" className="num">Past retention</th>
              </tr>
            </thead>
            <tbody>
              {report.fields.map((f) => (
                <tr key={f.field} data-testid={`field-${f.field}`}>
                  <th scope="row">{f.label}</th>
                  <td className="num">{formatCount(f.stored)}</td>
                  <td>{f.purposes.length ? f.purposes.join(", ") : "no purpose (never stored)"}</td>
                  <td className="num">{f.consentedPercentIsLowerBound && f.consentedPercent !== null ? "at least " : ""}{percent(f.consentedPercent)}</td>
                  <td className={`num ${f.withoutLiveConsent === 0 ? "good" : "bad"}`}>{formatCount(f.withoutLiveConsent)}</td>
                  <td className="num">{formatCount(f.pastRetention)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card" aria-labelledby="purposes">
        <h2 id="purposes">Per purpose</h2>
        <div className="table-scroll" role="region" aria-labelledby="purposes" tabIndex={0}>
          <table>
            <caption>Active consents, the text version in force and decisions still to be renewed</caption>
            <thead>
              <tr>
                <th scope="col">Purpose</th>
                <th scope="col" className="num">Active consents</th>
                <th scope="col" className="num">Share of accounts</th>
                <th scope="col">Version in force</th>
                <th scope="col" className="num">Still to re-consent</th>
                <th scope="col" className="num">Retention (days)</th>
              </tr>
            </thead>
            <tbody>
              {report.purposes.map((p) => (
                <tr key={p.id} data-testid={`purpose-${p.id}`}>
                  <th scope="row">{p.title} <span className="muted">({p.id})</span></th>
                  <td className="num">{formatCount(p.activeConsents)}</td>
                  <td className="num">{percent(p.activePercent)}</td>
                  <td><code>{p.versionInForce}</code></td>
                  <td className="num">{formatCount(p.awaitingReconsent)}</td>
                  <td className="num">{p.retentionDays}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card" aria-labelledby="activity">
        <h2 id="activity">Consents granted and withdrawn over time</h2>
        <h3 id="activity-days">All purposes, per day (last {ACTIVITY_DAYS} days)</h3>
        <ActivityChart id="chart-all-days" title={`Consents granted and withdrawn per day, last ${ACTIVITY_DAYS} days, all purposes`} data={report.activity.days} />
        <ActivityTable caption={`Per day, last ${ACTIVITY_DAYS} days, all purposes`} data={report.activity.days} />
        <h3 id="activity-weeks">All purposes, per ISO week (last {ACTIVITY_WEEKS} weeks)</h3>
        <ActivityChart id="chart-all-weeks" title={`Consents granted and withdrawn per ISO week, last ${ACTIVITY_WEEKS} weeks, all purposes`} data={report.activity.weeks} />
        <ActivityTable caption={`Per ISO week, last ${ACTIVITY_WEEKS} weeks, all purposes`} data={report.activity.weeks} />
        {report.purposes.map((p) => (
          <details key={p.id} className="spaced">
            <summary>{p.title}: per day and per week</summary>
            <ActivityChart id={`chart-${p.id}-days`} title={`${p.title}: granted and withdrawn per day, last ${ACTIVITY_DAYS} days`} data={p.activity.days} />
            <ActivityTable caption={`${p.title}: per day, last ${ACTIVITY_DAYS} days`} data={p.activity.days} />
            <ActivityChart id={`chart-${p.id}-weeks`} title={`${p.title}: granted and withdrawn per ISO week, last ${ACTIVITY_WEEKS} weeks`} data={p.activity.weeks} />
            <ActivityTable caption={`${p.title}: per ISO week, last ${ACTIVITY_WEEKS} weeks`} data={p.activity.weeks} />
          </details>
        ))}
      </section>

      <section className="card" aria-labelledby="retention">
        <h2 id="retention">Retention</h2>
        <dl className="fields">
          <dt>Values past retention, still stored</dt>
          <dd>{formatCount(report.retention.pastRetentionTotal)} (per field in the table above)</dd>
          <dt>Accounts not signed in for longer than their retention</dt>
          <dd>{formatCount(report.retention.dormantAccounts)}</dd>
          <dt>Last purge</dt>
          <dd>
            {report.retention.lastPurge
              ? `${when(report.retention.lastPurge.startedAt)}${report.retention.lastPurge.finishedAt ? "" : " (not finished)"}: ${Object.entries(report.retention.lastPurge.counts).map(([k, v]) => `${k} ${formatCount(v)}`).join(", ") || "no counts"}`
              : "No purge has run yet."}
          </dd>
          <dt>Next purge</dt>
          <dd>
            {report.retention.purgeIntervalMinutes === 0
              ? "Scheduled purges are off (PURGE_INTERVAL_MINUTES=0)."
              : report.retention.nextPurgeAt
                ? when(report.retention.nextPurgeAt)
                : `Within ${report.retention.purgeIntervalMinutes} minutes of the app starting.`}
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="erasures">
        <h2 id="erasures">Erasures</h2>
        <p>Accounts erased in total: <strong data-testid="erasures-total">{formatCount(report.erasures.total)}</strong></p>
        <div className="table-scroll" role="region" aria-labelledby="erasures" tabIndex={0}>
          <table>
            <caption>Accounts erased per month (by their owner or by the purge)</caption>
            <thead>
              <tr>
                <th scope="col">Month (UTC)</th>
                <th scope="col" className="num">Erased</th>
              </tr>
            </thead>
            <tbody>
              {report.erasures.months.map((m) => (
                <tr key={m.period}>
                  <th scope="row">{m.period}</th>
                  <td className="num">{formatCount(m.erased)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card" aria-labelledby="keys">
        <h2 id="keys">Encryption keys</h2>
        <dl className="fields">
          <dt>Current master key</dt>
          <dd><code>{report.keys.currentKeyId}</code></dd>
          <dt>Data keys wrapped by it</dt>
          <dd data-testid="keys-current">{percent(report.keys.currentPercent)}</dd>
          <dt>Accounts still on an older key</dt>
          <dd>{formatCount(report.keys.usersOnOlderKeys)}</dd>
        </dl>
      </section>
    </>
  );
}
