import Link from "next/link";
import { useTranslations } from "next-intl";
import type { PhoneShareWay } from "@/lib/account";
import type { ActionState } from "@/lib/action-result";
import { BotLinkButton } from "./bot-link-button";
import { MiniAppContactButton } from "./mini-app-contact";

/** After a phone purpose is granted: the ways this site can receive the number, or a plain "none". */
export function PhoneShare({
  ways,
  botLinkAction,
}: {
  ways: PhoneShareWay[];
  botLinkAction: (prev: ActionState<{ link: string }>) => Promise<ActionState<{ link: string }>>;
}) {
  const t = useTranslations("settings.phoneShare");
  const noWay = <p className="notice">{t("noWay")}</p>;
  if (ways.length === 0) return noWay;
  if (ways.every((w) => w.kind === "miniapp")) {
    // Only the Mini App's one tap: outside Telegram this site has no way to receive the number.
    return (
      <MiniAppContactButton outside={noWay}>
        <p>{t("telegram")}</p>
      </MiniAppContactButton>
    );
  }
  return (
    <div className="notice">
      <p>{ways.every((w) => w.kind === "demo") ? t("demo") : t("telegram")}</p>
      <div className="row">
        {ways.map((way) => {
          if (way.kind === "oidc") {
            return (
              <a key={way.kind} className="button" href={way.href}>
                {t("oidc")}
              </a>
            );
          }
          if (way.kind === "demo") {
            return (
              <Link key={way.kind} className="button" href={way.href}>
                {t("demoButton")}
              </Link>
            );
          }
          // Shown only inside a Mini App (the component checks): elsewhere there is no requestContact.
          if (way.kind === "miniapp") return <MiniAppContactButton key={way.kind} />;
          return <BotLinkButton key={way.kind} action={botLinkAction} />;
        })}
      </div>
    </div>
  );
}
