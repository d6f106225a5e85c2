import Link from "next/link";
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
  if (ways.length === 0) {
    return (
      <p className="notice">
        This site has no way set up to receive your phone number from Telegram, so nothing is stored under this purpose.
        You can withdraw it.
      </p>
    );
  }
  return (
    <div className="notice">
      <p>
        {ways.every((w) => w.kind === "demo")
          ? "This demo has no Telegram to share with: the simulated step stores a demo number through the same server code as a real share."
          : "Share your number through Telegram; Telegram shares it only when you confirm there."}{" "}
        Nothing is stored until you do.
      </p>
      <div className="row">
        {ways.map((way) => {
          if (way.kind === "oidc") {
            return (
              <a key={way.kind} className="button" href={way.href}>
                Share my phone number via Telegram
              </a>
            );
          }
          if (way.kind === "demo") {
            return (
              <Link key={way.kind} className="button" href={way.href}>
                Share a demo phone number (simulated)
              </Link>
            );
          }
          return <BotLinkButton key={way.kind} action={botLinkAction} />;
        })}
      </div>
    </div>
  );
}
