import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { MiniAppSignIn } from "@/components/mini-app-sign-in";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("home.miniApp");
  return { title: t("title") };
}

/**
 * The address given to BotFather for the Mini App (README, "Telegram Mini App"). It signs in with
 * Telegram's init data and goes on to the consent page or the settings, inside Telegram.
 */
export default async function MiniAppEntry() {
  const t = await getTranslations("home.miniApp");
  return (
    <section className="card" aria-labelledby="miniapp-title">
      <h1 id="miniapp-title">{t("title")}</h1>
      <MiniAppSignIn />
    </section>
  );
}
