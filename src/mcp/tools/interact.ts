import { interactInputSchema, interactOutputSchema } from '../../api/control.js';
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
    "Write input (and `keys`) to a job's stdin; returns its answer once `expect` matches or it",
    'waits for input again. For REPLs (python3 -i), installers, prompts.',
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
    const stdin = result.stdin_open ? 'stdin open' : 'stdin closed';
    const head = `Job ${result.job_id} (${result.status}, ${stdin}): returned because ${BECAUSE[result.returned_because]}.`;
    // A terminal program's output is cursor movements; its screen is what it shows.
    if (result.screen !== null) {
      const lines = [head, outputBlock('screen', result.screen, 'blank')];
      if (result.stderr !== '') lines.push(outputBlock('stderr', result.stderr, 'no new output'));
      return lines.join('\n');
    }
    return [
      head,
      outputBlock('stdout', result.stdout, 'no new output'),
      outputBlock('stderr', result.stderr, 'no new output'),
    ].join('\n');
  },
});
