// The rules for Telegram profile fields, one set for both sign-in paths: the Login Widget's payload
// (widget.ts) and the claims of an OpenID Connect ID token (oidc.ts). Whatever door a value comes
// through, the same value is accepted or refused. Pure: zod schemas only.
import { z } from "zod";

// Telegram caps names at 64 characters; 256 leaves room for surrogate pairs without admitting junk.
export const ProfileName = z
  .string()
  .min(1)
  .max(256)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "must not contain control characters");

export const ProfileUsername = z.string().regex(/^[A-Za-z0-9_]{1,64}$/, "username has an unexpected form");

export const ProfilePhotoUrl = z
  .string()
  .max(512)
  .regex(/^https:\/\/[A-Za-z0-9.-]+\/[\x21-\x7e]*$/, "photo_url must be an https URL");

/** The optional profile fields, under the names the widget sends and TelegramProfile keeps. */
export const PROFILE_FIELDS = {
  first_name: ProfileName,
  last_name: ProfileName,
  username: ProfileUsername,
  photo_url: ProfilePhotoUrl,
} as const;
