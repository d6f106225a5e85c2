"use client";
import type { ReactNode } from "react";
import { useFormStatus } from "react-dom";

export function SubmitButton({
  children,
  pendingLabel,
  className,
  name,
  value,
}: {
  children: ReactNode;
  pendingLabel: string;
  className?: string;
  name?: string;
  value?: string;
}) {
  const { pending } = useFormStatus();
  return (
    // Not `disabled` while pending: a disabled button drops the keyboard focus to the page body, and the
    // person who pressed Enter would start again from the top. aria-disabled says it is busy, and a
    // second press is ignored here instead.
    <button
      type="submit"
      className={className}
      aria-disabled={pending}
      name={name}
      value={value}
      onClick={(e) => {
        if (pending) e.preventDefault();
      }}
    >
      {pending ? pendingLabel : children}
    </button>
  );
}
