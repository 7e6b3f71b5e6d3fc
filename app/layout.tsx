import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = { title: "Satchel", description: "Buy credits with Bitcoin, M-Pesa, Interledger or NEO Bank." };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
