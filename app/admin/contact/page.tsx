import Link from "next/link";
import { ContactLookupForm } from "@/components/admin/contact-lookup-form";
import { requireAdmin } from "@/lib/web/session";
import { lookUpContactAction } from "./actions";

export const metadata = { title: "Contact a person by phone · Consent-first login" };

export default async function AdminContactPage() {
  await requireAdmin();
  return (
    <>
      <h1>Contact a person by phone</h1>
      <p>
        For people who agreed to “Contact you by phone”: look up one person&apos;s number, by the account reference they
        gave you, to call or text them about their account. Each lookup is recorded with its reason and shown to the
        person on their settings page. For anyone who has not agreed, or has no number stored, there is nothing to show.
      </p>
      <ContactLookupForm action={lookUpContactAction} />
      <p>
        <Link href="/admin">Back to the report</Link>
      </p>
    </>
  );
}
