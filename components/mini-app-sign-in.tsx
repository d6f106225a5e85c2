"use client";
// The Mini App's entry (/tg): Telegram's init data goes to POST /api/auth/telegram/webapp, exactly
// like the widget's payload to POST /api/auth/telegram. Nothing is stored by this: a first sign-in
// waits for consent on /consent, as on the web.
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { loadTelegramWebApp, markMiniApp } from "./mini-app";

type State = "loading" | "outside" | "refused" | "failed";

export function MiniAppSignIn() {
  const t = useTranslations("home.miniApp");
  const [state, setState] = useState<State>("loading");

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const app = await loadTelegramWebApp();
      if (cancelled) return;
      if (!app?.initData) return setState("outside");
      markMiniApp();
      let res: Response;
      try {
        res = await fetch("/api/auth/telegram/webapp", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ initData: app.initData }),
        });
      } catch {
        if (!cancelled) setState("failed");
        return;
      }
      if (cancelled) return;
      if (res.ok) {
        const { next } = (await res.json()) as { next: string };
        // A full navigation: the language Telegram gave may differ from this page's.
        window.location.replace(next.startsWith("/") && !next.startsWith("//") ? next : "/");
        return;
      }
      setState(res.status === 401 || res.status === 400 ? "refused" : "failed");
    })();
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <p role="status" data-testid="miniapp-status" data-state={state}>
      {t(state)}
    </p>
  );
}
