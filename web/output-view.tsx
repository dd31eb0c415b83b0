// A job's output, live: ANSI colours, a bounded scrollback, search, follow (stay at the end)
// and pause (stop updating the view; the output is still kept, within the bound).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

import type { OutputChunk } from '../src/http/rows.js';
import { AnsiLines, lineText } from './ansi.js';

export type OutputSink = (chunk: OutputChunk) => void;

const RENDER_EVERY_MS = 250;

export function OutputView({ attach }: { attach: (sink: OutputSink) => void }) {
  const model = useRef(new AnsiLines());
  const [version, setVersion] = useState(0);
  const [paused, setPaused] = useState(false);
  const [followEnd, setFollowEnd] = useState(true);
  const [search, setSearch] = useState('');
  const box = useRef<HTMLPreElement>(null);
  const scheduled = useRef(false);
  const lastRender = useRef(-Infinity);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    attach((chunk) => {
      if (chunk.skipped > 0 && model.current.lines.length > 0)
        model.current.gap(chunk.stream, chunk.skipped);
      model.current.push(chunk.stream, chunk.text);
      // One render however many chunks arrive: at the next frame, and at most every
      // RENDER_EVERY_MS, so a flood replacing the whole scrollback costs a few renders a second.
      if (scheduled.current || pausedRef.current) return;
      scheduled.current = true;
      const wait = Math.max(0, lastRender.current + RENDER_EVERY_MS - performance.now());
      setTimeout(
        () =>
          requestAnimationFrame(() => {
            scheduled.current = false;
            lastRender.current = performance.now();
            setVersion((v) => v + 1);
          }),
        wait,
      );
    });
  }, []);
  useEffect(() => {
    if (!paused) setVersion((v) => v + 1);
  }, [paused]);
  useEffect(() => {
    if (followEnd && box.current !== null) box.current.scrollTop = box.current.scrollHeight;
  }, [version, followEnd]);

  // A copy: the model appends to its array in place before trimming it, so a render between
  // a chunk and its frame (the page's clock ticking) would show the untrimmed array.
  const lines = useMemo(() => {
    const needle = search.toLowerCase();
    const all = model.current.lines;
    return needle === ''
      ? all.slice()
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
