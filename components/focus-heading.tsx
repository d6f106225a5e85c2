"use client";
// After a client-side navigation the browser keeps focus on the link or button that was pressed,
// which the new page may no longer have: screen-reader and keyboard users start from nowhere. Focus
// moves to the new page's heading instead (not on the first load, where the browser starts at the top).
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

export function FocusHeading() {
  const pathname = usePathname();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>("main h1");
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }, [pathname]);
  return null;
}
