"use client";
// The Telegram sign-in. Telegram.Login.auth is called from our own script (not the widget's
// data-onauth, which needs eval), and the payload goes to the server by POST, never in a URL.
import { useState } from "react";

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

async function postPayload(payload: Record<string, unknown>): Promise<string> {
  const res = await fetch("/api/auth/telegram", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
    credentials: "same-origin",
  });
  const body = (await res.json().catch(() => ({}))) as { next?: string; error?: string };
  if (!res.ok || !body.next) throw new Error(body.error ?? "Sign-in failed. Please try again.");
  return body.next;
}

type DemoPersonaCard = { id: string; label: string; description: string; admin: boolean };

export function LoginButton({
  botId,
  botUsername,
  demoPersonas,
}: {
  botId: string | null;
  botUsername: string | null;
  demoPersonas: DemoPersonaCard[] | null;
}) {
  const [status, setStatus] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });

  async function run(getPayload: () => Promise<Record<string, unknown> | null>) {
    setStatus({ busy: true, error: null });
    try {
      const payload = await getPayload();
      if (!payload) return setStatus({ busy: false, error: "Sign-in was cancelled in the Telegram window." });
      window.location.assign(await postPayload(payload));
    } catch (e) {
      setStatus({ busy: false, error: (e as Error).message });
    }
  }

  const telegram = () =>
    run(async () => {
      const tg = await loadWidget().catch(() => {
        throw new Error("Telegram's sign-in script could not load. Check your connection and try again.");
      });
      return new Promise((resolve) =>
        tg.Login.auth({ bot_id: botId!, request_access: false }, (data) => resolve(data || null)),
      );
    });

  const demo = (persona: string) =>
    run(async () => {
      const res = await fetch("/api/demo/sign-in", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ persona }),
      });
      if (!res.ok) throw new Error("The demo sign-in is not available.");
      return (await res.json()) as Record<string, unknown>;
    });

  const demoAdmin = demoPersonas?.find((p) => p.admin);
  return (
    <div>
      {demoPersonas && (
        <>
          {/* Each persona has a different set of profile fields, so the consent page shows what happens when Telegram sends one and when it does not. */}
          <ul className="personas" aria-label="Demo personas">
            {demoPersonas.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className="telegram"
                  disabled={status.busy}
                  onClick={() => demo(p.id)}
                  aria-describedby={`persona-${p.id}`}
                >
                  Demo sign-in as {p.label}
                </button>{" "}
                <span id={`persona-${p.id}`}>{p.description}</span>
              </li>
            ))}
          </ul>
          {demoAdmin && (
            <p>
              To see the admin report, sign in as {demoAdmin.label}: she is this demo&apos;s admin. A real deployment
              makes admins of the Telegram accounts listed in ADMIN_TELEGRAM_IDS, which the demo ignores.
            </p>
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
              Log in with Telegram
            </button>
          ) : (
            <p className="notice error">Telegram sign-in is not configured on this server.</p>
          )}
        </div>
      )}
      {!demoPersonas && botUsername && (
        <p id="login-help" className="muted">
          Telegram asks you to confirm sign-in to @{botUsername}. We receive your id and public profile; you decide next
          what we may keep.
        </p>
      )}
      <p role="status" aria-live="polite">
        {status.busy ? "Signing you in…" : null}
      </p>
      {status.error && (
        <p className="notice error" role="alert">
          {status.error}
        </p>
      )}
    </div>
  );
}
