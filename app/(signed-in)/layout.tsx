import type { ReactNode } from "react";
import { requireUser } from "@/lib/web/session";

// Comfort only: every page and action below checks the session again through lib/web/session.ts.
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  await requireUser();
  return children;
}
