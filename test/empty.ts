// Stands in for the "server-only" package under vitest: its real entry throws outside a
// React Server Components build (the "react-server" export condition is empty, like this).
export {};
