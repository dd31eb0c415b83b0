import { interactInputSchema, interactOutputSchema } from '../../api/control.js';
import { isFinal } from '../../api/job.js';
import { describeStatus } from '../../present/words.js';
import { outputBlock } from '../format.js';
import { defineTool } from '../tool.js';

const BECAUSE = {
  expect: 'the output matched expect',
  waiting_for_input: 'the job answered and waits for input again',
  settled: 'the output went quiet',
  exited: 'the job exited',
  timeout: 'timeout_s passed',
  no_wait: 'nothing to wait for',
} as const;

export const interactTool = defineTool({
  name: 'interact',
  title: 'Type into a running job',
  description: [
    "Write input (and `keys`) to a job's stdin; returns its answer once it waits for input again",
    '(or `expect` matches). For REPLs (python3 -i), installers, prompts.',
  ].join(' '),
  inputSchema: interactInputSchema,
  outputSchema: interactOutputSchema,
  // The input goes to whatever the job runs: answering "y" to a prompt may change anything.
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: true,
  },
  call: (api, input, options) => api.interact(input, options),
  summarize: (result) => {
    // Once the job has ended, how it ended is the news; while it runs, whether it still reads.
    const head = isFinal(result.status)
      ? `Job ${result.job_id} has ended: ${describeStatus(result)}.`
      : `Job ${result.job_id} (${result.status}, stdin ${result.stdin_open ? 'open' : 'closed'}): returned because ${BECAUSE[result.returned_because]}.`;
    // A terminal program's output is cursor movements; its screen is what it shows.
    if (result.screen !== null) {
      const lines = [head, outputBlock('screen', result.screen, 'blank')];
      if (result.stderr !== '') lines.push(outputBlock('stderr', result.stderr, ''));
      return lines.join('\n');
    }
    // Only the streams that said something: an empty block is bytes a model reads for nothing.
    const blocks = (['stdout', 'stderr'] as const)
      .filter((stream) => result[stream] !== '')
      .map((stream) => outputBlock(stream, result[stream], ''));
    return blocks.length === 0 ? `${head} No new output.` : [head, ...blocks].join('\n');
  },
});
