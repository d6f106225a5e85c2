/**
 * What the optional profile purposes deliver: the name greets, the photo sits beside it, the
 * @username beside the name. Each appears only while its purpose keeps the value.
 */
export function ProfileCard({
  profile,
}: {
  profile: { name: string | null; username: string | null; photoUrl: string | null };
}) {
  return (
    <section className="card profile" aria-label="You" data-testid="profile">
      {profile.photoUrl ? (
        // A plain <img>: the CSP's img-src admits https://t.me, where Telegram's photo links point.
        // eslint-disable-next-line @next/next/no-img-element
        <img
          className="avatar"
          src={profile.photoUrl}
          alt="Your Telegram profile photo"
          width={56}
          height={56}
          referrerPolicy="no-referrer"
        />
      ) : (
        <span className="avatar placeholder" aria-hidden="true" />
      )}
      <p>
        {profile.name ? (
          <>
            Hello, <strong>{profile.name}</strong>
          </>
        ) : (
          "Hello"
        )}
        {profile.username && <span className="muted"> @{profile.username}</span>}
        <br />
        <span className="muted">Signed in with Telegram.</span>
      </p>
    </section>
  );
}
