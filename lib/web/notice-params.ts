// Query parameters that carry a one-time notice to the page an action lands on ("Your account is
// ready", "Your choices are saved", the phone share's outcome). Said once: the page drops them from
// the address after showing the notice, and the language switcher never carries them on.
export const NOTICE_PARAMS: readonly string[] = ["welcome", "saved", "phone"];
