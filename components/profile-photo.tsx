"use client";
// A Telegram profile photo, or, when its picture cannot be loaded (no internet, a link gone stale),
// a placeholder and the stored link as text: never a broken image with clipped alt text.
import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";

export function ProfilePhoto({ src, link, alt, size }: { src: string; link: string; alt: string; size: number }) {
  const t = useTranslations("common.photo");
  const [failed, setFailed] = useState(false);
  const img = useRef<HTMLImageElement>(null);
  // An error before hydration fires no onError: a picture already settled without pixels failed too.
  useEffect(() => {
    const el = img.current;
    if (el && el.complete && el.naturalWidth === 0) setFailed(true);
  }, []);
  if (failed)
    return (
      <span className="photo-failed" data-testid="photo-failed">
        <span className="avatar placeholder" aria-hidden="true" />
        <span>
          {t("failed")}{" "}
          <a href={link} rel="noreferrer">
            <bdi dir="ltr">{link}</bdi>
          </a>
        </span>
      </span>
    );
  return (
    // A plain <img>: the CSP's img-src admits 'self' and https://t.me, where Telegram's photo links point.
    // eslint-disable-next-line @next/next/no-img-element
    <img
      ref={img}
      className="avatar"
      src={src}
      alt={alt}
      width={size}
      height={size}
      referrerPolicy="no-referrer"
      onError={() => setFailed(true)}
    />
  );
}
