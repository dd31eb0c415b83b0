// A job's output, live: ANSI colours, a bounded scrollback, search, follow (stay at the end)
// and pause (stop updating the view; the output is still kept, within the bound).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

import type { OutputChunk } from '../src/http/rows.js';
import { AnsiLines, lineText } from './ansi.js';

export type OutputSink = (chunk: OutputChunk) => void;

export function OutputView({ attach }: { attach: (sink: OutputSink) => void }) {
  const model = useRef(new AnsiLines());
  const [version, setVersion] = useState(0);
  const [paused, setPaused] = useState(false);
  const [followEnd, setFollowEnd] = useState(true);
  const [search, setSearch] = useState('');
  const box = useRef<HTMLPreElement>(null);
  const frame = useRef(0);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    attach((chunk) => {
      if (chunk.skipped > 0 && model.current.lines.length > 0)
        model.current.gap(chunk.stream, chunk.skipped);
      model.current.push(chunk.stream, chunk.text);
      // One render per frame however many chunks arrive.
      if (frame.current === 0 && !pausedRef.current) {
        frame.current = requestAnimationFrame(() => {
          frame.current = 0;
          setVersion((v) => v + 1);
        });
      }
    });
  }, []);
  useEffect(() => {
    if (!paused) setVersion((v) => v + 1);
  }, [paused]);
  useEffect(() => {
    if (followEnd && box.current !== null) box.current.scrollTop = box.current.scrollHeight;
  }, [version, followEnd]);

  const lines = useMemo(() => {
    const needle = search.toLowerCase();
    const all = model.current.lines;
    return needle === ''
      ? all
      : all.filter((line) => lineText(line).toLowerCase().includes(needle));
  }, [version, search]);

  return (
    <section class="output">
      <div class="toolbar">
        <input
          type="search"
          aria-label="search output"
          placeholder="search output"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        {search !== '' && <span>{lines.length} lines match</span>}
        <label>
          <input
            type="checkbox"
            checked={followEnd}
            onChange={(e) => setFollowEnd(e.currentTarget.checked)}
          />
          follow
        </label>
        <button type="button" onClick={() => setPaused(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <pre ref={box} data-testid="output">
        {lines.map((line) => (
          <div key={line.id} class={line.stream}>
            {line.segments.map((segment) =>
              segment.style === '' ? (
                segment.text
              ) : (
                <span class={segment.style}>{segment.text}</span>
              ),
            )}
          </div>
        ))}
      </pre>
    </section>
  );
}
