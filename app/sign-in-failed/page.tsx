import Link from "next/link";
import { getSession } from "@/lib/session";

export const metadata = { title: "Sign-in did not complete · Consent-first login" };

// The reasons the OpenID Connect callback can give a browser; anything else reads as the generic one.
const REASONS = {
  restart:
    "This sign-in answer is not the one we started, has expired, or carried something we cannot use. Please press the Telegram button again.",
  "not-confirmed":
    "Telegram could not confirm this sign-in, or the Telegram account that answered is not the one signed in here.",
  taken: "That phone number is already linked to another account here.",
  unavailable: "Telegram's sign-in service cannot be reached right now. Please try again in a minute.",
} as const;

export default async function SignInFailedPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [user, params] = await Promise.all([getSession(), searchParams]);
  const reason =
    typeof params.reason === "string" && Object.hasOwn(REASONS, params.reason)
      ? REASONS[params.reason as keyof typeof REASONS]
      : REASONS["not-confirmed"];
  return (
    <>
      <h1>Telegram sign-in did not complete</h1>
      <p className="notice error" role="alert">
        {reason} Nothing was stored.
      </p>
      <p>
        {user ? (
          <Link href="/settings">Back to your data</Link>
        ) : (
          <Link href="/#signin">Back to the start page to sign in</Link>
        )}
      </p>
    </>
  );
}
