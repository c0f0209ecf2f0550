// Worker-thread entry: receives (plan, shard, phase) tasks, runs them, posts progress and completion records back.
import { parentPort } from 'node:worker_threads';
import { type Plan, runShardPhase } from './shard-task.js';

/** Message from the runner to a worker. */
export interface TaskMessage {
  plan: Plan;
  shard: number;
  phase: number;
}

parentPort?.on('message', async (m: TaskMessage) => {
  try {
    const rec = await runShardPhase(m.plan, m.shard, m.phase, (docs) =>
      parentPort?.postMessage({ type: 'progress', docs }),
    );
    parentPort?.postMessage({ type: 'done', rec });
  } catch (e) {
    parentPort?.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) });
  }
});
