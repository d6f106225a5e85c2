import Link from "next/link";
import { Fragment } from "react";
import { formatCount, sectionNumbers } from "@/components/admin/activity-chart";
import { ActivitySection } from "@/components/admin/activity-section";
import { DemoReportFiller } from "@/components/demo-report-filler";
import { viewMinimizationReport } from "@/lib/data/report";
import type { OwnRecord } from "@/lib/domain/retention";
import { requireAdmin } from "@/lib/web/session";
import "./report.css";

export const metadata = { title: "Data-minimization report · Consent-first login" };

const percent = (p: number | null) => (p === null ? "suppressed (small count)" : `${p}%`);
const RECORD_NAMES: Record<OwnRecord, string> = {
  audit_events: "Audit events (sign-ins, logouts, consent changes, exports, refusals)",
  contact_lookups: "Lookups of a person's number by an admin",
  sessions: "Sessions",
  used_login_payloads: "Used sign-in payloads (replay protection)",
  pending_sign_ins: "Pending first sign-ins",
};
// The purge's counts by their recorded keys ("accountsErased"), said in words; an unknown key by its own words.
const PURGE_COUNT_LABELS: Record<string, string> = {
  accountsErased: "accounts erased",
  fieldsErased: "values erased",
};
const purgeCountLabel = (key: string) =>
  PURGE_COUNT_LABELS[key] ??
  key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/_/g, " ")
    .toLowerCase();
const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "unknown");

export default async function AdminReportPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await requireAdmin();
  const [report, params] = await Promise.all([viewMinimizationReport(admin.id, "page"), searchParams]);
  // ?activity=<purpose>: that purpose's charts open and drawn (a fold's link without JavaScript).
  const openActivity = report.purposes.find((p) => p.id === params.activity)?.id ?? null;
  const violations = report.fields.filter((f) => f.withoutLiveConsent !== 0);
  const nextPurge = report.retention.nextPurgeAt;
  return (
    <div className="admin-report">
      <h1>Data-minimization report</h1>
      <p className="muted">Generated {when(report.generatedAt)}. No personal value appears here.</p>
      <p className="rule" id="how-counts">
        <strong>How counts are published.</strong> Every count is rounded to the nearest 10, and a count under 5 is
        shown as “fewer than 5”. In figures that add up to each other (activity over time, erasures, values past
        retention) a 0 is shown as “fewer than 5” too, unless the whole series is 0. Totals are rounded on their own and
        shares are worked out from the rounded counts, so no figure, and no sum or difference of figures, singles anyone
        out. Activity counts people, not decisions, and only for days, weeks and months that have ended, and the admins’
        own accounts are left out of the counts of accounts, consents and stored values, so nothing an admin does on
        their own account changes a figure here.
      </p>
      <p className="row">
        <a className="button secondary" href="/api/admin/report" download>
          Download JSON
        </a>
        <a className="button secondary" href="/api/admin/report?format=csv" download>
          Download CSV
        </a>
        <Link className="button secondary" href="/admin/contact">
          Contact a person by phone
        </Link>
      </p>
      <DemoReportFiller />

      <div className="cards">
        <section className="card" aria-labelledby="summary">
          <h2 id="summary">Summary</h2>
          <dl className="fields">
            <dt>Accounts</dt>
            <dd data-testid="users">{formatCount(report.users)}</dd>
            <dt>Values stored without a live consent</dt>
            <dd data-testid="violations" className={violations.length ? "bad" : "good"}>
              {violations.length
                ? `${violations.map((f) => `${f.label}: ${formatCount(f.withoutLiveConsent)}`).join("; ")}`
                : "0 (none)"}
            </dd>
            <dt>Last checked for values without a live consent</dt>
            <dd data-testid="consent-check" className={report.consentCheck.overdue ? "bad" : undefined}>
              {when(report.consentCheck.checkedAt)}, {formatCount(report.consentCheck.valuesChecked)} stored values
              looked at
              {report.consentCheck.overdue
                ? " (overdue: the check runs with every purge, and none has run it lately)"
                : " (runs with every purge)"}
            </dd>
            <dt>Consent ledger last verified</dt>
            <dd
              data-testid="ledger-check"
              className={report.ledgerCheck ? (report.ledgerCheck.ok ? "good" : "bad") : undefined}
            >
              {report.ledgerCheck
                ? `${when(report.ledgerCheck.checkedAt)}: ${
                    report.ledgerCheck.chainIntact ? "chain intact" : "CHAIN BROKEN"
                  }, ${formatCount(report.ledgerCheck.statesChecked)} consent states against ${formatCount(
                    report.ledgerCheck.decisionsChecked,
                  )} latest decisions, ${formatCount(report.ledgerCheck.problems)} problems`
                : "never (run npm run ledger:verify)"}
            </dd>
            <dt>Values under a field name the app does not know</dt>
            <dd data-testid="unknown-fields" className={report.unknownFieldsStored === 0 ? "good" : "bad"}>
              {formatCount(report.unknownFieldsStored)}
            </dd>
            <dt>Values past their retention period</dt>
            <dd data-testid="past-retention">{formatCount(report.retention.pastRetentionTotal)}</dd>
            <dt>Fields offered by Telegram and not stored</dt>
            <dd>{formatCount(report.droppedWrites)}</dd>
          </dl>
        </section>

        <section className="card" aria-labelledby="retention">
          <h2 id="retention">Retention</h2>
          <dl className="fields">
            <dt>Values past retention, still stored</dt>
            <dd>{formatCount(report.retention.pastRetentionTotal)} (per field in the table below)</dd>
            <dt>Accounts not signed in for longer than their retention</dt>
            <dd>{formatCount(report.retention.dormantAccounts)}</dd>
            <dt>Last purge</dt>
            <dd data-testid="last-purge">
              {report.retention.lastPurge
                ? `${when(report.retention.lastPurge.startedAt)}${report.retention.lastPurge.finishedAt ? "" : " (not finished)"}: ${
                    Object.entries(report.retention.lastPurge.counts)
                      .map(([k, v]) => `${purgeCountLabel(k)}: ${formatCount(v)}`)
                      .join(", ") || "no counts"
                  }`
                : "No purge has run yet."}
            </dd>
            <dt>Next purge</dt>
            <dd data-testid="next-purge">
              {nextPurge === null
                ? "Scheduled purges are off (PURGE_INTERVAL_MINUTES=0)."
                : nextPurge <= report.generatedAt
                  ? `Due now (runs every ${report.retention.purgeIntervalMinutes} minutes).`
                  : when(nextPurge)}
            </dd>
          </dl>
        </section>

        <section className="card" aria-labelledby="records-kept" data-testid="records-kept">
          <h2 id="records-kept">Our own records about people</h2>
          <p>
            Deleted by the purge once older than this (set by AUDIT_RETENTION_DAYS, CONTACT_LOOKUP_RETENTION_DAYS,
            SESSION_ABSOLUTE_HOURS and AUTH_MAX_AGE_SECONDS).
          </p>
          <dl className="fields">
            {report.recordsKept.map((r) => (
              <Fragment key={r.record}>
                <dt>{RECORD_NAMES[r.record]}</dt>
                <dd>
                  {r.amount} {r.amount === 1 ? r.unit.slice(0, -1) : r.unit}
                </dd>
              </Fragment>
            ))}
          </dl>
        </section>

        <section className="card" aria-labelledby="erasures">
          <h2 id="erasures">Erasures</h2>
          <p>
            Accounts erased in total: <strong data-testid="erasures-total">{formatCount(report.erasures.total)}</strong>
          </p>
          <details className="table">
            <summary>Table: accounts erased per month</summary>
            <div className="table-scroll" role="region" aria-label="Accounts erased per month" tabIndex={0}>
              <table>
                <caption>Accounts erased per month (by their owner or by the purge)</caption>
                <thead>
                  <tr>
                    <th scope="col">Month (UTC)</th>
                    <th scope="col" className="num">
                      Erased
                    </th>
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
          </details>
        </section>

        <section className="card" aria-labelledby="keys">
          <h2 id="keys">Encryption keys</h2>
          <dl className="fields">
            <dt>Current master key</dt>
            <dd>
              <code>{report.keys.currentKeyId}</code>
            </dd>
            <dt>Data keys wrapped by it</dt>
            <dd data-testid="keys-current">{percent(report.keys.currentPercent)}</dd>
            <dt>Accounts still on an older key</dt>
            <dd>{formatCount(report.keys.usersOnOlderKeys)}</dd>
          </dl>
        </section>
      </div>

      <section className="card" aria-labelledby="fields">
        <h2 id="fields">Per field</h2>
        <div className="table-scroll" role="region" aria-labelledby="fields" tabIndex={0}>
          <table>
            <caption>
              Stored values per field, the purposes that cover them, and checks (without live consent: as of{" "}
              {when(report.consentCheck.checkedAt)})
            </caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col" className="num">
                  Stored
                </th>
                <th scope="col">Covered by</th>
                <th scope="col" className="num">
                  Users who consented
                </th>
                <th scope="col" className="num">
                  Without live consent
                </th>
                <th scope="col" className="num">
                  Past retention
                </th>
              </tr>
            </thead>
            <tbody>
              {report.fields.map((f) => (
                <tr key={f.field} data-testid={`field-${f.field}`}>
                  <th scope="row">{f.label}</th>
                  <td className="num">{formatCount(f.stored)}</td>
                  <td>
                    {f.purposes.length ? f.purposes.join(", ") : "no purpose (never stored)"}
                    {f.seenOnceBy.length ? `; seen once, never kept: ${f.seenOnceBy.join(", ")} (only the date)` : ""}
                  </td>
                  <td className="num">
                    {f.consentedPercentIsLowerBound && f.consentedPercent !== null ? "at least " : ""}
                    {percent(f.consentedPercent)}
                  </td>
                  <td className={`num ${f.withoutLiveConsent === 0 ? "good" : "bad"}`}>
                    {formatCount(f.withoutLiveConsent)}
                  </td>
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
                <th scope="col" className="num">
                  Active consents
                </th>
                <th scope="col" className="num">
                  Share of accounts
                </th>
                <th scope="col">Version in force</th>
                <th scope="col" className="num">
                  Still to re-consent
                </th>
                <th scope="col" className="num">
                  Retention (days)
                </th>
              </tr>
            </thead>
            <tbody>
              {report.purposes.map((p) => (
                <tr key={p.id} data-testid={`purpose-${p.id}`}>
                  <th scope="row">
                    {p.title} <span className="muted nowrap">({p.id})</span>
                  </th>
                  <td className="num">{formatCount(p.activeConsents)}</td>
                  <td className="num">{percent(p.activePercent)}</td>
                  <td>
                    <code>{p.versionInForce}</code>
                  </td>
                  <td className="num">{formatCount(p.awaitingReconsent)}</td>
                  <td className="num">{p.retentionDays}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {/* Only what the charts draw crosses to the browser (components/admin/activity-section.tsx says why). */}
      <ActivitySection numbers={sectionNumbers(report.activity, report.purposes)} open={openActivity} />
    </div>
  );
}
