/** Runs once before the whole test run. PostgreSQL-backed suites start the local server themselves. */
export default async function setup(): Promise<void> {}
