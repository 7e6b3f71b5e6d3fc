"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { buttonSecondary } from "./ui";

/**
 * The header's "Sign in" link. Hidden on the sign-in and sign-up pages themselves, where the
 * page body already offers the way in and a second link would only repeat it.
 */
export function SignInLink() {
  const pathname = usePathname();
  if (pathname === "/sign-in" || pathname === "/sign-up") return null;
  return (
    <Link href="/sign-in" className={buttonSecondary}>
      Sign in
    </Link>
  );
}
