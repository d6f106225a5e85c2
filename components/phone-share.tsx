import Link from "next/link";
import { useTranslations } from "next-intl";
import type { PhoneShareWay } from "@/lib/use-cases/account";
import type { ActionState } from "@/lib/web/action-result";
import { BotLinkButton } from "./bot-link-button";
import { MiniAppContactButton } from "./mini-app-contact";

/**
 * After a phone purpose is granted: the ways this site can receive the number, or a plain "none".
 * `replace`: a number is kept already; the same ways share a new one, which takes its place.
 */
export function PhoneShare({
  ways,
  botLinkAction,
  replace = false,
}: {
  ways: PhoneShareWay[];
  replace?: boolean;
  botLinkAction: (prev: ActionState<{ link: string }>) => Promise<ActionState<{ link: string }>>;
}) {
  const t = useTranslations("settings.phoneShare");
  const noWay = replace ? null : <p className="notice">{t("noWay")}</p>;
  if (ways.length === 0) return noWay;
  if (ways.every((w) => w.kind === "miniapp")) {
    // Only the Mini App's one tap: outside Telegram this site has no way to receive the number.
    return (
      <MiniAppContactButton outside={noWay}>
        <p>{t(replace ? "replace" : "telegram")}</p>
      </MiniAppContactButton>
    );
  }
  const demoOnly = ways.every((w) => w.kind === "demo");
  return (
    <div className="notice" data-testid={replace ? "phone-replace" : "phone-share"}>
      <p>{replace ? t(demoOnly ? "replaceDemo" : "replace") : demoOnly ? t("demo") : t("telegram")}</p>
      <div className="row">
        {ways.map((way) => {
          if (way.kind === "oidc") {
            return (
              <a key={way.kind} className="button" href={way.href}>
                {replace ? t("oidcReplace") : t("oidc")}
              </a>
            );
          }
          if (way.kind === "demo") {
            return (
              <Link key={way.kind} className="button" href={way.href}>
                {replace ? t("demoButtonReplace") : t("demoButton")}
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
