// Proves the drop-in profiles render values byte for byte as their Python originals did (the
// expected strings were produced by CPython 3 and pydantic 2): json.dumps(indent=2) with its ASCII
// escapes, datetime.isoformat() and pydantic datetimes, text-mode newlines and line lists,
// Popen.returncode for signal deaths; and that bgjobs statuses map onto mcp-background-job's four.
import { describe, expect, it } from 'vitest';

import type { JobStatus } from '../../src/api/job.js';
import { backgroundJobStatus } from '../../src/mcp/profiles/mcp-background-job.js';
import {
  joinedLines,
  lastLines,
  pydanticUtcDatetime,
  pythonJsonDumps,
  pythonLocalIsoformat,
  pythonReturncode,
} from '../../src/mcp/profiles/python.js';

describe('Python rendering', () => {
  it('dumps JSON as json.dumps(indent=2) does, escaping all but printable ASCII', () => {
    const value = {
      success: true,
      ref_id: null,
      error: 'caf\u00e9 \u{1F600} \u007f \u0001 "q"',
      processes: [],
      count: 0,
      nested: [{ a: 1 }],
      empty: {},
    };
    expect(pythonJsonDumps(value)).toBe(
      '{\n  "success": true,\n  "ref_id": null,\n  "error": "caf\\u00e9 \\ud83d\\ude00 \\u007f \\u0001 \\"q\\"",\n  "processes": [],\n  "count": 0,\n  "nested": [\n    {\n      "a": 1\n    }\n  ],\n  "empty": {}\n}',
    );
  });

  it('formats times as datetime.isoformat() (local) and pydantic (UTC) do', () => {
    const local = new Date(2024, 0, 2, 3, 4, 5, 123).getTime();
    expect(pythonLocalIsoformat(local)).toBe('2024-01-02T03:04:05.123000');
    expect(pythonLocalIsoformat(new Date(2024, 0, 2, 3, 4, 5).getTime())).toBe(
      '2024-01-02T03:04:05',
    );
    expect(pydanticUtcDatetime(Date.UTC(2024, 0, 2, 3, 4, 5, 123))).toBe(
      '2024-01-02T03:04:05.123000Z',
    );
    expect(pydanticUtcDatetime(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('2024-01-02T03:04:05Z');
  });

  it('keeps output as lines read in text mode, joined with \\n', () => {
    expect(joinedLines('')).toBe('');
    expect(joinedLines('a\nb\n')).toBe('a\nb');
    expect(joinedLines('a\n\nb\n\n')).toBe('a\n\nb\n');
    expect(joinedLines('no newline')).toBe('no newline');
    expect(joinedLines('crlf\r\nprogress 1\rprogress 2\n')).toBe('crlf\nprogress 1\nprogress 2');
    expect(lastLines('1\n2\n3\n4\n5\n', 2)).toBe('4\n5');
    expect(lastLines('1\n2\n', 50)).toBe('1\n2');
    expect(lastLines('', 3)).toBe('');
    expect(lastLines('a\rb\rc\n', 2)).toBe('b\nc');
  });

  it('gives Popen.returncode: the exit code, or minus the signal number', () => {
    expect(pythonReturncode({ exit_code: 3, signal: null })).toBe(3);
    expect(pythonReturncode({ exit_code: null, signal: 'SIGTERM' })).toBe(-15);
    expect(pythonReturncode({ exit_code: null, signal: 'SIGKILL' })).toBe(-9);
    expect(pythonReturncode({ exit_code: null, signal: null })).toBe(-1);
  });
});

describe('mcp-background-job statuses', () => {
  it.each<[JobStatus, string | null, string]>([
    ['queued', null, 'queued'],
    ['running', null, 'running'],
    ['completed', null, 'completed'],
    ['failed', null, 'failed'],
    ['failed', 'SIGSEGV', 'failed'],
    ['failed', 'SIGTERM', 'killed'],
    ['failed', 'SIGKILL', 'killed'],
    ['killed', 'SIGTERM', 'killed'],
    ['timed_out', 'SIGTERM', 'failed'],
    ['lost', null, 'failed'],
  ])('%s (signal %s) is %s', (status, signal, expected) => {
    expect(backgroundJobStatus({ status, signal })).toBe(expected);
  });
});
