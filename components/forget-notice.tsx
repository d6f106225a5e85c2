"use client";
// Takes a one-time notice's parameters out of the address once the page has shown it, so a reload,
// a bookmark or the language switcher does not show "Your account is ready" again. replaceState
// keeps the router in step (useSearchParams sees the new address) and adds no history entry.
import { useEffect } from "react";
import { NOTICE_PARAMS } from "@/lib/web/notice-params";

export function ForgetNotice() {
  useEffect(() => {
    const url = new URL(window.location.href);
    if (!NOTICE_PARAMS.some((p) => url.searchParams.has(p))) return;
    for (const p of NOTICE_PARAMS) url.searchParams.delete(p);
    window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
  }, []);
  return null;
}
