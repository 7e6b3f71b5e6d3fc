// Process-wide singletons. Next.js may load one module several times in one process
// (instrumentation, each route bundle, dev reloads), so state that must exist once — a
// database client, a sandbox server, the event sender — lives on globalThis under a name.

const store = globalThis as unknown as { __satchel?: Map<string, unknown> };

function slots(): Map<string, unknown> {
  store.__satchel ??= new Map();
  return store.__satchel;
}

/** The value named `key`, created by `init` on first use. */
export function singleton<T>(key: string, init: () => T): T {
  const s = slots();
  if (!s.has(key)) s.set(key, init());
  return s.get(key) as T;
}

/** The value named `key`, if one was created. */
export function peekSingleton<T>(key: string): T | undefined {
  return slots().get(key) as T | undefined;
}

export function setSingleton<T>(key: string, value: T | undefined): void {
  if (value === undefined) slots().delete(key);
  else slots().set(key, value);
}

/** Forgets the value (tests, or a client whose creation failed); returns what was there. */
export function clearSingleton<T>(key: string): T | undefined {
  const s = slots();
  const v = s.get(key) as T | undefined;
  s.delete(key);
  return v;
}

/**
 * A module's process-wide state: one object per name, shared by every copy of the module
 * Next.js loads. `const g = processState<{ client?: Promise<Client> }>("rails/mpesa/client")`.
 */
export function processState<T extends object>(name: string): T {
  return singleton(`state:${name}`, () => ({}) as T);
}
