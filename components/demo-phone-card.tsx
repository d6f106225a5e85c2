import Link from "next/link";

/** Settings, in demo mode, once a phone purpose is granted: the way to share is the simulation. */
export function DemoPhoneCard() {
  return (
    <section className="card" aria-labelledby="demo-phone">
      <h2 id="demo-phone">Your phone number (demo)</h2>
      <p>
        You agreed to a purpose that uses your phone number. This demo has no Telegram to share it with:{" "}
        <Link href="/demo/phone">Share a demo phone number (simulated)</Link> to see what a real share keeps.
      </p>
    </section>
  );
}
