import Link from "next/link";

export default function Forbidden() {
  return (
    <>
      <h1>Not allowed</h1>
      <p>This page is for the site&apos;s admins only.</p>
      <p>
        <Link href="/">Back to the start page</Link>
      </p>
    </>
  );
}
