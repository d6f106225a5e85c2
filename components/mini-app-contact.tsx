"use client";
// "Share my number with one tap", inside the Mini App only, and only where the settings offer a way
// to share (a phone purpose is granted). Telegram asks the person; the contact it returns is signed
// like init data and checked by POST /api/me/phone/miniapp-contact before anything is kept. On a
// decline nothing is sent to the server at all.
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useEffect, useState, type ReactNode } from "react";
import { isMiniAppSession, loadTelegramWebApp, type TelegramWebApp } from "./mini-app";

type State =
  | { kind: "idle" }
  | { kind: "pending" }
  | { kind: "declined" }
  | { kind: "saved"; verifiedOnly: boolean }
  | { kind: "failed"; reason: string };

export function MiniAppContactButton({ outside, children }: { outside?: ReactNode; children?: ReactNode }) {
  const t = useTranslations("settings.phoneShare");
  const router = useRouter();
  const [app, setApp] = useState<TelegramWebApp | null>(null);
  const [state, setState] = useState<State>({ kind: "idle" });

  useEffect(() => {
    if (!isMiniAppSession()) return;
    let cancelled = false;
    void loadTelegramWebApp().then((loaded) => {
      if (!cancelled && loaded?.requestContact && (loaded.isVersionAtLeast?.("6.9") ?? true)) setApp(loaded);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  if (!app) return outside ?? null;

  const share = () => {
    setState({ kind: "pending" });
    app.requestContact!(async (sent, event) => {
      if (!sent || !event?.response) return setState({ kind: "declined" });
      const res = await fetch("/api/me/phone/miniapp-contact", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ contact: event.response }),
      }).catch(() => null);
      if (!res) return setState({ kind: "failed", reason: "" });
      const body = (await res.json().catch(() => ({}))) as { stored?: boolean; error?: string };
      if (!res.ok) return setState({ kind: "failed", reason: body.error ?? "" });
      setState({ kind: "saved", verifiedOnly: !body.stored });
      // The settings page says it, as for every other way of sharing: once the number is kept this
      // button moves to the card's "replace" offer (a new element), so a message kept here would go.
      router.replace(`/settings?phone=${body.stored ? "saved" : "verified"}`);
    });
  };

  return (
    <div className={children ? "notice" : undefined}>
      {children}
      <button type="button" onClick={share} disabled={state.kind === "pending"} data-testid="miniapp-contact">
        {state.kind === "pending" ? t("miniappPending") : t("miniapp")}
      </button>
      <p role="status" data-testid="miniapp-contact-status">
        {state.kind === "declined" && t("miniappDeclined")}
        {state.kind === "saved" && (state.verifiedOnly ? t("miniappVerified") : t("miniappSaved"))}
        {state.kind === "failed" && t("miniappFailed", { reason: state.reason })}
      </p>
    </div>
  );
}
