"use client";
// Telegram Mini App support for the pages: Telegram's own telegram-web-app.js, served from /public
// (the CSP's script-src stays 'self' + nonce), is loaded only inside the Mini App. /tg marks the
// browsing session as a Mini App one (sessionStorage, which the webview keeps across the pages);
// on every page after that the bridge applies Telegram's theme, viewport and safe areas as CSS
// variables and drives Telegram's Back button.
import { usePathname, useRouter } from "next/navigation";
import { useEffect } from "react";

/** The part of Telegram.WebApp the app uses (core.telegram.org/bots/webapps#initializing-mini-apps). */
export type TelegramWebApp = {
  initData: string;
  version: string;
  colorScheme: "light" | "dark";
  themeParams: Record<string, string | undefined>;
  viewportHeight: number;
  viewportStableHeight: number;
  safeAreaInset?: Insets;
  contentSafeAreaInset?: Insets;
  ready(): void;
  expand(): void;
  onEvent(event: string, handler: () => void): void;
  offEvent(event: string, handler: () => void): void;
  BackButton: { show(): void; hide(): void; onClick(cb: () => void): void; offClick(cb: () => void): void };
  requestContact?(callback: (sent: boolean, event?: { status: string; response?: string }) => void): void;
  isVersionAtLeast?(version: string): boolean;
};
type Insets = { top: number; bottom: number; left: number; right: number };

// Not a global declaration: login-button.tsx declares window.Telegram as the Login Widget's object.
const telegramWebApp = (): TelegramWebApp | null =>
  (window as unknown as { Telegram?: { WebApp?: TelegramWebApp } }).Telegram?.WebApp ?? null;

const MARK = "miniapp";
const SCRIPT = "/telegram-web-app.js";

export function markMiniApp(): void {
  try {
    sessionStorage.setItem(MARK, "1");
  } catch {
    // Storage refused (private mode): the entry page still works; later pages lose the theme.
  }
}

export function isMiniAppSession(): boolean {
  try {
    return sessionStorage.getItem(MARK) === "1";
  } catch {
    return false;
  }
}

let loading: Promise<TelegramWebApp | null> | null = null;

/** Telegram.WebApp, loading Telegram's script from this origin once if it is not there yet. */
export function loadTelegramWebApp(): Promise<TelegramWebApp | null> {
  const present = telegramWebApp();
  if (present) return Promise.resolve(present);
  loading ??= new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = SCRIPT;
    script.async = true;
    script.onload = () => resolve(telegramWebApp());
    script.onerror = () => resolve(null);
    document.head.appendChild(script);
  });
  return loading;
}

function setVar(name: string, value: string | undefined): void {
  if (value === undefined) document.documentElement.style.removeProperty(name);
  else document.documentElement.style.setProperty(name, value);
}

function applyInsets(prefix: string, insets: Insets | undefined): void {
  for (const side of ["top", "bottom", "left", "right"] as const)
    setVar(`--tg-${prefix}-inset-${side}`, `${Math.max(0, Number(insets?.[side]) || 0)}px`);
}

const COLOR = /^#[0-9a-fA-F]{3,8}$/;

/** Telegram's theme as --tg-theme-* variables (bg_color → --tg-theme-bg-color), as its script names them. */
export function applyTheme(app: TelegramWebApp): void {
  for (const [key, value] of Object.entries(app.themeParams ?? {})) {
    if (/^[a-z_]{1,40}$/.test(key) && typeof value === "string" && COLOR.test(value))
      setVar(`--tg-theme-${key.replace(/_/g, "-")}`, value);
  }
  document.documentElement.dataset.tgScheme = app.colorScheme === "dark" ? "dark" : "light";
}

function applyViewport(app: TelegramWebApp): void {
  if (app.viewportHeight > 0) setVar("--tg-viewport-height", `${app.viewportHeight}px`);
  if (app.viewportStableHeight > 0) setVar("--tg-viewport-stable-height", `${app.viewportStableHeight}px`);
  applyInsets("safe-area", app.safeAreaInset);
  applyInsets("content-safe-area", app.contentSafeAreaInset);
}

/** Rendered once in the root layout; does nothing outside a Mini App. */
export function MiniAppBridge() {
  const pathname = usePathname();
  const router = useRouter();

  useEffect(() => {
    if (pathname !== "/tg" && !isMiniAppSession()) return;
    let app: TelegramWebApp | null = null;
    let cancelled = false;
    const onTheme = () => app && applyTheme(app);
    const onViewport = () => app && applyViewport(app);
    void loadTelegramWebApp().then((loaded) => {
      if (cancelled || !loaded) return;
      app = loaded;
      applyTheme(app);
      applyViewport(app);
      app.onEvent("themeChanged", onTheme);
      app.onEvent("viewportChanged", onViewport);
      app.onEvent("safeAreaChanged", onViewport);
      app.onEvent("contentSafeAreaChanged", onViewport);
      app.ready();
      app.expand();
    });
    return () => {
      cancelled = true;
      if (!app) return;
      app.offEvent("themeChanged", onTheme);
      app.offEvent("viewportChanged", onViewport);
      app.offEvent("safeAreaChanged", onViewport);
      app.offEvent("contentSafeAreaChanged", onViewport);
    };
  }, [pathname]);

  // Telegram's Back button on the pages below the settings (export, receipt, deletion): it leads
  // back to the settings. The settings and the consent page are the Mini App's top level, where
  // Telegram's own close button applies.
  useEffect(() => {
    if (!isMiniAppSession() || !pathname.startsWith("/settings/")) return;
    let app: TelegramWebApp | null = null;
    let cancelled = false;
    const back = () => router.push("/settings");
    void loadTelegramWebApp().then((loaded) => {
      if (cancelled || !loaded) return;
      app = loaded;
      app.BackButton.onClick(back);
      app.BackButton.show();
    });
    return () => {
      cancelled = true;
      if (!app) return;
      app.BackButton.offClick(back);
      app.BackButton.hide();
    };
  }, [pathname, router]);

  return null;
}
