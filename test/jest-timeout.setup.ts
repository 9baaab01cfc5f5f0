// Jest applies `testTimeout` only from the global config, not per project, so each
// project of jest.config.ts passes its budget through `globals` and it is set here.
const budget = (globalThis as { AFTERSALES_TEST_TIMEOUT_MS?: number }).AFTERSALES_TEST_TIMEOUT_MS;
if (typeof budget === 'number') jest.setTimeout(budget);
