import type { ReactNode } from "react";

// The admin area stays English (docs/decisions/013): its readers are the operator's staff and
// data-protection officer, and its labels are the report's own vocabulary, matched by its CSV and
// JSON. Marked as English, left to right, so it reads correctly inside a page whose chrome is Persian.
export default function AdminLayout({ children }: { children: ReactNode }) {
  return (
    <div lang="en" dir="ltr">
      {children}
    </div>
  );
}
