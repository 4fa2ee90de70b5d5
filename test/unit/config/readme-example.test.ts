/** The configuration example of the README is a valid vigil.yaml (the README must stay true). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';

describe('the README configuration example', () => {
  it('loads without a problem', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('```yaml\nengine:');
    expect(start).toBeGreaterThan(0);
    const block = readme.slice(start + '```yaml\n'.length, readme.indexOf('```', start + 8));
    const { config } = parseConfigText(block, 'README.md');
    expect(config.detectors['ks']?.enabled).toBe(true);
    expect(config.detectors['performance']?.enabled).toBe(true);
  });
});
