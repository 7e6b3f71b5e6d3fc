"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { buttonSecondary } from "./ui";

/**
 * The header's "Sign in" link. Hidden on the sign-in and sign-up pages themselves, where the
 * page body already offers the way in and a second link would only repeat it.
 */
export function SignInLink({ label }: { label: string }) {
  const pathname = usePathname();
  if (pathname === "/sign-in" || pathname === "/sign-up" || pathname === "/forgot-password" || pathname === "/reset-password") return null;
  return (
    <Link href="/sign-in" className={buttonSecondary}>
      {label}
    </Link>
  );
}
