// The benchmark's baseline workflow: it does nothing, so starting it costs only what Temporal costs.
// Bundled by scripts/bench/trivial/worker.ts only; not part of the product's workflows/.

/** Returns its input at once: no timers, no activities. */
export async function benchTrivialWorkflow(input: { n: number }): Promise<{ n: number }> {
  return input;
}
