"use client";
// The Telegram sign-in. Telegram.Login.auth is called from our own script (not the widget's
// data-onauth, which needs eval), and the payload goes to the server by POST, never in a URL.
import { useLocale, useTranslations } from "next-intl";
import { useScripted } from "./use-scripted";
import { useState, type ReactNode } from "react";

type TelegramLogin = {
  Login: {
    auth: (
      opts: { bot_id: string; request_access?: string | boolean; lang?: string },
      cb: (data: Record<string, unknown> | false) => void,
    ) => void;
  };
};
declare global {
  interface Window {
    Telegram?: TelegramLogin;
  }
}

/** A failure whose message is already written for the person (in their language). */
class ReadableError extends Error {}

const WIDGET_SRC = "https://telegram.org/js/telegram-widget.js?22";

function loadWidget(): Promise<TelegramLogin> {
  return new Promise((resolve, reject) => {
    if (window.Telegram?.Login) return resolve(window.Telegram);
    const script = document.createElement("script");
    script.src = WIDGET_SRC;
    script.async = true;
    script.onload = () => (window.Telegram?.Login ? resolve(window.Telegram) : reject(new Error("widget")));
    script.onerror = () => reject(new Error("widget"));
    document.head.appendChild(script);
  });
}

/**
 * The API's errors are English by contract (they are for scripts); a person reads the one that fits
 * the status, in their language.
 */
type Refusal = { kind: "refused" } | { kind: "tooMany"; seconds: number } | { kind: "failed" };

class SignInError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.kind);
  }
}

async function postPayload(payload: Record<string, unknown>): Promise<string> {
  const res = await fetch("/api/auth/telegram", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
    credentials: "same-origin",
  });
  const body = (await res.json().catch(() => ({}))) as { next?: string };
  if (res.status === 401) throw new SignInError({ kind: "refused" });
  if (res.status === 429)
    throw new SignInError({ kind: "tooMany", seconds: Math.max(1, Number(res.headers.get("retry-after")) || 60) });
  if (!res.ok || !body.next) throw new SignInError({ kind: "failed" });
  return body.next;
}

type DemoPersonaCard = { id: string; label: string; description: ReactNode; admin: boolean };

export function LoginButton({
  botId,
  botUsername,
  demoPersonas,
}: {
  botId: string | null;
  botUsername: string | null;
  demoPersonas: DemoPersonaCard[] | null;
}) {
  const t = useTranslations("home");
  const locale = useLocale();
  const [status, setStatus] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });

  const messageFor = (e: unknown): string => {
    if (!(e instanceof SignInError)) return t("login.failed");
    const r = e.refusal;
    if (r.kind === "tooMany") return t("login.tooMany", { seconds: r.seconds });
    return r.kind === "refused" ? t("login.refused") : t("login.failed");
  };

  async function run(getPayload: () => Promise<Record<string, unknown> | null>) {
    setStatus({ busy: true, error: null });
    try {
      const payload = await getPayload();
      if (!payload) return setStatus({ busy: false, error: t("login.cancelledWindow") });
      window.location.assign(await postPayload(payload));
    } catch (e) {
      setStatus({ busy: false, error: e instanceof ReadableError ? e.message : messageFor(e) });
    }
  }

  const telegram = () =>
    run(async () => {
      const tg = await loadWidget().catch(() => {
        throw new ReadableError(t("login.scriptFailed"));
      });
      return new Promise((resolve) =>
        // Telegram's confirmation window in the language of this page.
        tg.Login.auth({ bot_id: botId!, request_access: false, lang: locale }, (data) => resolve(data || null)),
      );
    });

  const demo = (persona: string) =>
    run(async () => {
      const res = await fetch("/api/demo/sign-in", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ persona }),
      });
      if (!res.ok) throw new ReadableError(t("login.demoUnavailable"));
      return (await res.json()) as Record<string, unknown>;
    });

  const demoAdmin = demoPersonas?.find((p) => p.admin);
  const scripted = useScripted();
  return (
    <div>
      {/* Both ways in run in the page's script: without it the buttons below could only do nothing. */}
      {!scripted && <p className="notice error">{t(demoPersonas ? "persona.noScript" : "login.noScript")}</p>}
      {demoPersonas && (
        <>
          {/* Each persona has a different set of profile fields, so the consent page shows what happens when Telegram sends one and when it does not. */}
          <ul className="personas" aria-label={t("persona.listLabel")}>
            {demoPersonas.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className="telegram"
                  disabled={status.busy}
                  onClick={() => demo(p.id)}
                  aria-describedby={`persona-${p.id}`}
                >
                  {t("persona.signInAs", { name: p.label })}
                </button>{" "}
                <span id={`persona-${p.id}`}>{p.description}</span>
              </li>
            ))}
          </ul>
          {demoAdmin && (
            <p>{t.rich("persona.adminHint", { name: demoAdmin.label, bdi: (chunks) => <bdi>{chunks}</bdi> })}</p>
          )}
        </>
      )}
      {!demoPersonas && (
        <div className="row">
          {botId ? (
            <button
              type="button"
              className="telegram"
              disabled={status.busy}
              onClick={telegram}
              aria-describedby="login-help"
            >
              {t("login.button")}
            </button>
          ) : (
            <p className="notice error">{t("login.notConfigured")}</p>
          )}
        </div>
      )}
      {!demoPersonas && botUsername && (
        <p id="login-help" className="muted">
          {t.rich("login.help", { bot: botUsername, bdi: (chunks) => <bdi>{chunks}</bdi> })}
        </p>
      )}
      <p role="status" aria-live="polite">
        {status.busy ? t("login.signingIn") : null}
      </p>
      {status.error && (
        <p className="notice error" role="alert">
          {status.error}
        </p>
      )}
    </div>
  );
}
