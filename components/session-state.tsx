"use client";
// The root layout (and its header) is not rendered again on a client-side navigation, so a header
// drawn while signed in outlives a session ended elsewhere (deletion or logout in another tab).
// Pages that know the person is signed out say so with <SessionEnded />; if the header still thinks
// otherwise, the whole tree is rendered again.
import { useRouter } from "next/navigation";
import { createContext, useContext, useEffect, type ReactNode } from "react";

const HeaderSignedIn = createContext(false);

export function SessionStateProvider({ signedIn, children }: { signedIn: boolean; children: ReactNode }) {
  return <HeaderSignedIn.Provider value={signedIn}>{children}</HeaderSignedIn.Provider>;
}

export function SessionEnded() {
  const stale = useContext(HeaderSignedIn);
  const router = useRouter();
  useEffect(() => {
    if (stale) router.refresh();
  }, [stale, router]);
  return null;
}
