import Link from "next/link";
import { useTranslations } from "next-intl";
import type { PhoneShareWay } from "@/lib/account";
import type { ActionState } from "@/lib/action-result";
import { BotLinkButton } from "./bot-link-button";

/** After a phone purpose is granted: the ways this site can receive the number, or a plain "none". */
export function PhoneShare({
  ways,
  botLinkAction,
}: {
  ways: PhoneShareWay[];
  botLinkAction: (prev: ActionState<{ link: string }>) => Promise<ActionState<{ link: string }>>;
}) {
  const t = useTranslations("settings.phoneShare");
  if (ways.length === 0) {
    return <p className="notice">{t("noWay")}</p>;
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
          return <BotLinkButton key={way.kind} action={botLinkAction} />;
        })}
      </div>
    </div>
  );
}
