// The test rail's settings: on whenever the test suite registers it.
export const memorySettings = () => ({ enabled: true, sandbox: true });
