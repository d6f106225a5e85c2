"use client";
import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};

/**
 * False in the server's HTML (what a browser without JavaScript keeps) and true once scripts run.
 * Not <noscript>: React does not render a client component's <noscript> children into the HTML.
 */
export function useScripted(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}
