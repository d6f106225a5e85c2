import Link from "next/link";
import { requireUser } from "@/lib/session";

export const metadata = { title: "Delete your data · Consent-first login" };

export default async function DeletePage() {
  await requireUser();
  return (
    <>
      <h1>Delete all your data?</h1>
      <div className="card">
        <p>This cannot be undone. When you confirm:</p>
        <ul>
          <li>
            every value we stored about you is erased, together with the key that encrypted it, so no backup copy can be
            read;
          </li>
          <li>you are signed out on every device at their next request;</li>
          <li>
            what remains holds nothing that identifies you: counts, and the record that your consents were withdrawn,
            under a random id nothing links to you any more.
          </li>
        </ul>
        <p>
          You can download your data first from the <Link href="/settings">settings page</Link>.
        </p>
        <div className="row">
          {/* A route handler, not an action: its 303 carries Clear-Site-Data. */}
          <form action="/api/me/delete" method="post">
            <button type="submit" className="danger">
              Yes, delete everything
            </button>
          </form>
          <Link className="button secondary" href="/settings">
            Keep my account
          </Link>
        </div>
      </div>
    </>
  );
}
