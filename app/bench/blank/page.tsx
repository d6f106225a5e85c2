// The reference for the first-load JavaScript benchmark: a page of this app with nothing of its own,
// so what it loads is what every page pays for Next.js, React and the root layout.
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { env } from "@/lib/core/env";

export default async function BlankPage() {
  await connection();
  if (!env().benchRoutes) notFound();
  return <main id="main" />;
}
