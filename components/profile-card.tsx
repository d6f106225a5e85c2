import { useTranslations } from "next-intl";

/**
 * What the optional profile purposes deliver: the name greets, the photo sits beside it, the
 * @username beside the name. Each appears only while its purpose keeps the value.
 */
export function ProfileCard({
  profile,
}: {
  profile: { name: string | null; username: string | null; photoUrl: string | null };
}) {
  const t = useTranslations("settings.profile");
  return (
    <section className="card profile" aria-label={t("label")} data-testid="profile">
      {profile.photoUrl ? (
        // A plain <img>: the CSP's img-src admits https://t.me, where Telegram's photo links point.
        // eslint-disable-next-line @next/next/no-img-element
        <img
          className="avatar"
          src={profile.photoUrl}
          alt={t("photoAlt")}
          width={56}
          height={56}
          referrerPolicy="no-referrer"
        />
      ) : (
        <span className="avatar placeholder" aria-hidden="true" />
      )}
      <p>
        {/* A name may be in any script, and an @username reads left to right: each keeps its own direction. */}
        {profile.name
          ? t.rich("helloNamed", {
              name: profile.name,
              strong: (chunks) => (
                <strong>
                  <bdi>{chunks}</bdi>
                </strong>
              ),
            })
          : t("hello")}
        {profile.username && (
          <span className="muted">
            {" "}
            <bdi dir="ltr">@{profile.username}</bdi>
          </span>
        )}
        <br />
        <span className="muted">{t("signedIn")}</span>
      </p>
    </section>
  );
}
