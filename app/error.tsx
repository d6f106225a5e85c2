"use client";
// Outages land here. Never show internals: the digest lets an operator find the log line.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <>
      <h1>Something went wrong on our side</h1>
      <p>Your data is safe; nothing was half-saved. Please try again in a moment.</p>
      {error.digest && <p className="muted">Reference: {error.digest}</p>}
      <button type="button" onClick={reset}>
        Try again
      </button>
    </>
  );
}
