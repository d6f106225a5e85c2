// What the admin report publishes of consent activity over time: counts that may be suppressed, per
// day and per ISO week. Here rather than in lib/data/report/types.ts (which re-exports all of it) so
// that the activity section, drawn in the browser from these numbers as well as on the server
// (components/admin/activity-section.tsx), can read them without reaching into the data layer.

export const FEWER_THAN_5 = "fewer than 5" as const;
/** A count as shown to admins: 1 to 4 could single out a person, so it is never shown exactly. */
export type Count = number | typeof FEWER_THAN_5;

export const ACTIVITY_DAYS = 28;
export const ACTIVITY_WEEKS = 12;

export type PeriodActivity = { period: string; granted: Count; withdrawn: Count };
export type PurposeActivity = { days: PeriodActivity[]; weeks: PeriodActivity[] };
