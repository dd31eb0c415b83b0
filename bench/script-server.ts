// A bench baseline's bare server: a Node script in a process of its own, ready once it prints.
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Runs SCRIPT (`node -e`) with ARG; resolves once it prints, with the process and what it said
 * first (its "ready", or its port). WHAT names it in the error when it exits or fails first.
 */
export async function startScript(
  script: string,
  arg: string,
  what: string,
): Promise<{ child: ChildProcess; said: string }> {
  const child = spawn(process.execPath, ['-e', script, arg], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const said = await new Promise<string>((resolve, reject) => {
      child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${what} exited (${code})`)));
    });
    return { child, said };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
