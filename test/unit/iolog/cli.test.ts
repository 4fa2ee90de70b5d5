import { describe, expect, it } from 'vitest';
import { main } from '../../../src/main.js';

async function vigil(...argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(argv, { out: () => undefined, err: (l) => err.push(l) });
  return { code, err: err.join('\n') };
}

describe('vigil iolog read: bad usage exits 2 before touching Kafka', () => {
  it.each([
    [['iolog'], /expected read, got nothing/],
    [['iolog', 'write'], /expected read, got "write"/],
    [['iolog', 'read'], /read needs --model ID/],
    [['iolog', 'read', '--model', 'm', '--event', 'e', '--from', '2026-01-01'], /--event cannot be combined with --from\/--to/],
    [['iolog', 'read', '--model', 'm', '--from', 'yesterday'], /--from must be an ISO-8601 time or milliseconds since the epoch, got "yesterday"/],
    [['iolog', 'read', '--model', 'm', '--from', '2026-02-01', '--to', '2026-01-01'], /--to must be after --from/],
    [['iolog', 'read', '--model', 'm', '--limit', '0'], /--limit must be a whole number from 1 to 100000/],
    [['iolog', 'read', '--model', 'm', '--config', 'no/such/vigil.yaml'], /cannot read configuration file .*no\/such\/vigil\.yaml/],
    [['iolog', 'read', '--model', 'm', '--bogus'], /Unknown option '--bogus'/],
  ])('%o', async (argv, message) => {
    const result = await vigil(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });
});
