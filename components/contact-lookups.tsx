// The person's side of the contact path (lib/contact.ts): the reference they quote to support, and
// every lookup of their number by an admin, with its date and reason. Server components; strings
// are kept plain so the settings page's translation can take them over.
import { CONTACT_REASONS, type ContactReason } from "@/lib/contact-reasons";

export type ContactLookupItem = { at: Date; reason: ContactReason | "other" };

const when = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export function AccountReference({ reference }: { reference: string }) {
  return (
    <p data-testid="account-reference">
      Your account reference: <strong className="nowrap">{reference}</strong>. Quote it if you contact us; it says
      nothing about you.
    </p>
  );
}

export function ContactLookups({ lookups }: { lookups: ContactLookupItem[] }) {
  return (
    <div data-testid="contact-lookups">
      <h3 className="muted">Lookups of your number</h3>
      {lookups.length === 0 ? (
        <p>None yet. Each time an admin looks up your number, it is listed here with the date and the reason.</p>
      ) : (
        <ul>
          {lookups.map((l, i) => (
            <li key={`${l.at.toISOString()}-${i}`}>
              {when(l.at)}: {l.reason === "other" ? "Other reason" : CONTACT_REASONS[l.reason].person}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
