import Link from "next/link";
import { getSession } from "@/lib/session";

export default async function Forbidden() {
  const user = await getSession();
  return (
    <>
      <h1>Not allowed</h1>
      <p>This page is for the site&apos;s admins only.</p>
      {user ? (
        <p>
          <Link href="/">Back to the start page</Link>
        </p>
      ) : (
        <p>
          If you are an admin, <Link href="/#signin">Sign in</Link> with Telegram first, then come back to this page.
        </p>
      )}
    </>
  );
}
