// A PTY job's output as a terminal (xterm.js): the bytes as written, colours and cursor moves
// included, with a bounded scrollback; what the user types goes to the job's terminal.
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef } from 'preact/hooks';

import type { OutputSink } from './output-view.js';

export function TerminalView({
  size,
  attach,
  onData,
}: {
  size: { cols: number; rows: number };
  attach: (sink: OutputSink) => void;
  onData: (data: string) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (host.current === null) return undefined;
    const terminal = new Terminal({
      cols: size.cols,
      rows: size.rows,
      scrollback: 5000,
      convertEol: false,
    });
    terminal.open(host.current);
    attach((chunk) => terminal.write(chunk.text));
    const typed = terminal.onData(onData);
    terminal.focus();
    return () => {
      typed.dispose();
      terminal.dispose();
    };
  }, []);
  return <div class="terminal" ref={host} data-testid="terminal" />;
}
