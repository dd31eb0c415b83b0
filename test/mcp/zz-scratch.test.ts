import { it } from 'vitest';
import { openHarness, textOf } from './harness.js';
it('prints', async () => {
  const h = await openHarness();
  const show = async (name: string, args: Record<string, unknown>) => {
    const r = await h.call(name, args);
    console.log(
      `\n##### ${name} ${JSON.stringify(args)}${r.isError ? ' [isError]' : ''}\n${textOf(r)}`,
    );
    return r.structuredContent as any;
  };
  const a = await show('execute', {
    command: "printf 'hello\\nworld\\n'; printf 'oops\\n' >&2; exit 3",
    name: 'greeter',
  });
  const b = await show('execute', { command: 'sleep 100' });
  await show('wait', { job_id: a.job_id });
  await show('wait', { job_ids: [a.job_id, b.job_id], timeout_s: 1.5 });
  await show('output', { job_id: a.job_id });
  await show('output', { job_id: a.job_id, new_only: true });
  await show('output', { job_id: a.job_id, max_bytes: 4 });
  await show('tail', { job_id: a.job_id, lines: 1 });
  await show('search', { job_id: a.job_id, pattern: 'o', context: 1 });
  await show('search', { job_id: a.job_id, pattern: '(' });
  await show('status', { job_id: a.job_id });
  await show('status', { job_id: b.job_id });
  await show('list', {});
  await show('interact', { job_id: b.job_id, input: 'x' });
  await show('kill', { job_id: b.job_id });
  await show('kill', { job_id: b.job_id });
  await show('remove', { job_id: a.job_id });
  await show('status', { job_id: '../../x' });
  await show('execute', { command: '' });
  await show('wait', {});
  await h.close();
});
