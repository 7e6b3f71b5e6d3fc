import "server-only";
import { notFound, redirect } from "next/navigation";
import { sessionUser } from "./index";

// Page guards. Every page and layout that needs a user calls one of these on the server;
// nothing relies on client-side hiding.

export async function requireUserPage(returnTo: string) {
  const user = await sessionUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}

/** Admin pages answer 404 to everyone else: buyers learn nothing about what exists there. */
export async function requireAdminPage(returnTo: string) {
  const user = await requireUserPage(returnTo);
  if (user.role !== "admin") notFound();
  return user;
}
