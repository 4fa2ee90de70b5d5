import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../../src/replay/progress.js';

describe('progress bar', () => {
  it('draws on a terminal, throttled, and ends its line', () => {
    const writes: string[] = [];
    let t = 0;
    const bar = new ProgressBar({ isTTY: true, write: (s: string) => writes.push(s) }, () => t);
    bar.update(10, 100, 50);
    t = 50;
    bar.update(20, 100, 90); // within 100 ms: not drawn
    t = 200;
    bar.update(100, 100, 400);
    bar.done();
    expect(writes).toEqual([`\r[###...........................]  10%  50 events`, `\r[##############################] 100%  400 events`, '\n']);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ isTTY: false, write: (s: string) => writes.push(s) });
    bar.update(1, 2, 3);
    bar.done();
    expect(writes).toEqual([]);
  });
});
