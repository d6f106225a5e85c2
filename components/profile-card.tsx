import { useTranslations } from "next-intl";
import { ProfilePhoto } from "./profile-photo";

/**
 * What the optional profile purposes deliver: the name greets, the photo sits beside it, the
 * @username beside the name. Each appears only while its purpose keeps the value.
 */
export function ProfileCard({
  profile,
}: {
  /** photoSrc: where the picture loads from (the demo's own copy), when not the stored link itself. */
  profile: { name: string | null; username: string | null; photoUrl: string | null; photoSrc?: string | null };
}) {
  const t = useTranslations("settings.profile");
  return (
    <section className="card profile" aria-label={t("label")} data-testid="profile">
      {profile.photoUrl ? (
        <ProfilePhoto
          src={profile.photoSrc ?? profile.photoUrl}
          link={profile.photoUrl}
          alt={t("photoAlt")}
          size={56}
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
