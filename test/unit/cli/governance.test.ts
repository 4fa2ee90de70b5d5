/**
 * `vigil submit | approve | reject | deploy | rollback` and `vigil iolog read --api` against the admin
 * API built in process: fetch is routed to the app's inject(), so no port is opened. Each error is one
 * line with its code: 403 names the missing role, 409 the registry's refusal.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Role } from '../../../src/config/types.js';
import { IoLogBuilder } from '../../../src/iolog/builder.js';
import { main } from '../../../src/main.js';
import { Envelope } from '../../../src/security/crypto/envelope.js';
import { makeManifest, tempDir } from '../governance/helpers.js';
import { settings, tabularEvent } from '../iolog/fixtures.js';
import { testProvider } from '../security/crypto/helpers.js';
import { T0, approvalRequest, testApi } from '../admin/helpers.js';

const BASE = 'http://vigil.test';
const TOKENS: Record<string, { roles: Role[] }> = { olga: { roles: ['operator'] }, ann: { roles: ['approver'] }, bob: { roles: ['approver'] }, vic: { roles: ['viewer'] }, aud: { roles: ['auditor'] } };

async function setup() {
  const builder = new IoLogBuilder({ settings: settings(), envelope: new Envelope(testProvider()), topic: 'vigil.iolog' });
  const records = [await builder.record(tabularEvent(1, { timestamp: T0 - 1000, categorical: { note: 'call +44 20 7946 0958' } }), 'SAMPLED')];
  const api = testApi({ tokens: TOKENS, governance: 'gate', iolog: { records, envelope: new Envelope(testProvider()) } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const res = await api.app.inject({
      method: init.method as 'GET',
      url: url.slice(BASE.length),
      headers: init.headers as Record<string, string>,
      ...(init.body !== undefined ? { payload: init.body as string } : {}),
    });
    return new Response(res.body, { status: res.statusCode, headers: res.headers as Record<string, string> });
  });
  const dir = tempDir('vigil-cli-gov-');
  const file = (version: string, patch: Parameters<typeof makeManifest>[0] = () => undefined) => {
    const path = join(dir, `${version}.json`);
    writeFileSync(
      path,
      JSON.stringify(
        makeManifest((m) => {
          m.modelVersion = version;
          m.rollback = { targetVersion: null, noTargetReason: 'first version' };
          patch(m);
        }),
      ),
    );
    return path;
  };
  const cli = async (who: string | null, ...argv: string[]) => {
    if (who === null) delete process.env['VIGIL_TOKEN'];
    else process.env['VIGIL_TOKEN'] = api.texts[who]!;
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  return { api, cli, file, dir };
}

describe('the governance commands', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env['VIGIL_API_URL'] = BASE;
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    for (const key of ['VIGIL_API_URL', 'VIGIL_TOKEN']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('submit, approve twice, deploy and roll back through the API', async () => {
    const { api, cli, file } = await setup();
    const submitted = await cli('olga', 'submit', file('1.0.0'));
    expect(submitted.code, submitted.err).toBe(0);
    expect(submitted.out).toMatch(/^submitted credit-risk@1\.0\.0 by olga: CHECK_COMPLETED, event ev-2; the version is now checked\ncompliance check passed: 0 error\(s\)/);
    expect((await cli('ann', 'approve', '--model', 'credit-risk', '--version', '1.0.0', '--reason', 'reviewed')).out).toMatch(/^approved credit-risk@1\.0\.0 by ann: APPROVED, event ev-3; the version is now checked$/);
    const second = await cli('bob', 'approve', '--model', 'credit-risk', '--version', '1.0.0', '--json');
    expect(JSON.parse(second.out)).toMatchObject({ type: 'APPROVED', status: 'approved', actor: 'bob' });
    expect((await cli('olga', 'deploy', '--model', 'credit-risk', '--version', '1.0.0', '--no-target-reason', 'first version')).out).toMatch(/the version is now deployed/);
    expect((await cli('olga', 'submit', file('2.0.0', (m) => (m.rollback = { targetVersion: '1.0.0' })))).code).toBe(0);
    await cli('ann', 'approve', '--model', 'credit-risk', '--version', '2.0.0');
    await cli('bob', 'approve', '--model', 'credit-risk', '--version', '2.0.0');
    expect((await cli('olga', 'deploy', '--model', 'credit-risk', '--version', '2.0.0', '--rollback-target', '1.0.0')).code).toBe(0);
    const back = await cli('olga', 'rollback', '--model', 'credit-risk', '--reason', 'drift on f01');
    expect(back.code, back.err).toBe(0);
    expect(back.out).toMatch(/^rolled back credit-risk@2\.0\.0 by olga: ROLLED_BACK/);
    expect(api.registry.state.models['credit-risk']?.deployed).toBe('1.0.0');
    const retired = await cli('olga', 'retire', '--model', 'credit-risk', '--version', '2.0.0', '--reason', 'superseded by the rollback');
    expect(retired.code, retired.err).toBe(0);
    expect(retired.out).toMatch(/^retired credit-risk@2\.0\.0 by olga: RETIRED/);
    expect(api.governanceTopic.map((e) => e.type)).toEqual(['MANIFEST_SUBMITTED', 'CHECK_COMPLETED', 'APPROVED', 'APPROVED', 'DEPLOYED', 'MANIFEST_SUBMITTED', 'CHECK_COMPLETED', 'APPROVED', 'APPROVED', 'DEPLOYED', 'ROLLED_BACK', 'RETIRED']);
  });

  it('shows a refusal (409, exit 1) and a missing role (403, exit 2) as one line', async () => {
    const { cli, file } = await setup();
    await cli('olga', 'submit', file('1.0.0'));
    await cli('ann', 'approve', '--model', 'credit-risk', '--version', '1.0.0');
    const twice = await cli('ann', 'approve', '--model', 'credit-risk', '--version', '1.0.0');
    expect(twice.code).toBe(1);
    expect(twice.err).toBe('vigil approve: POST /v1/models/credit-risk/versions/1.0.0/approve: 409 ann has already approved credit-risk@1.0.0; another identity must give the next approval (separation of duties: duplicate-approval) [VIGIL_GOVERNANCE_REFUSED]');
    const viewer = await cli('vic', 'reject', '--model', 'credit-risk', '--version', '1.0.0', '--reason', 'no');
    expect(viewer.code).toBe(2);
    expect(viewer.err).toBe('vigil reject: POST /v1/models/credit-risk/versions/1.0.0/reject: 403 needs role approver or admin for model "credit-risk" (vic has viewer) [VIGIL_FORBIDDEN]');
    const deploy = await cli('olga', 'deploy', '--model', 'credit-risk', '--version', '1.0.0', '--no-target-reason', 'first');
    expect(deploy.code).toBe(1);
    expect(deploy.err).toMatch(/^vigil deploy: .*: 409 credit-risk@1\.0\.0 is checked; a deployment needs it approved or superseded \(WRONG_STATE, event ev-\d+\) \[VIGIL_GOVERNANCE_REFUSED\]$/);
    for (const r of [twice, viewer, deploy]) expect(r.err.split('\n')).toHaveLength(1);
  });

  it('refuses bad usage and bad files with exit 2 before calling the API', async () => {
    const { api, cli, file, dir } = await setup();
    writeFileSync(join(dir, 'broken.json'), '{"modelId":');
    writeFileSync(join(dir, 'binary.json'), Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x7b]));
    const cases: [string | null, string[], RegExp][] = [
      ['olga', ['submit'], /submit needs the manifest file/],
      ['olga', ['submit', join(dir, 'missing.json')], /cannot read manifest .*missing\.json/],
      ['olga', ['submit', join(dir, 'broken.json')], /broken\.json is not JSON.*\[VIGIL_MANIFEST_INVALID\]/],
      ['olga', ['submit', join(dir, 'binary.json')], /binary\.json is not JSON/],
      ['olga', ['submit', dir], /cannot read manifest .*: not a regular file \[VIGIL_INPUT_INVALID\]/],
      ['olga', ['submit', file('1.0.0'), '--version', '9.9.9'], /--version "9\.9\.9" differs from the manifest's modelVersion "1\.0\.0"/],
      ['ann', ['approve', '--version', '1.0.0'], /--model is required/],
      ['ann', ['approve', '--model', 'a/b', '--version', '1'], /--model must be 1 to 200 characters without '\/'/],
      ['ann', ['reject', '--model', 'm', '--version', '1'], /reject needs --reason TEXT/],
      ['olga', ['deploy', '--model', 'm', '--version', '1'], /exactly one of --rollback-target V or --no-target-reason TEXT/],
      ['olga', ['deploy', '--model', 'm', '--version', '1', '--rollback-target', '0', '--no-target-reason', 'x'], /exactly one of/],
      ['olga', ['rollback', '--model', 'm'], /rollback needs --reason TEXT/],
      ['olga', ['retire', '--model', 'm', '--version', '1'], /retire needs --reason TEXT/],
      ['olga', ['rollback', '--model', 'm', '--version', '1', '--reason', 'x'], /give --to V for the target, not --version/],
      ['olga', ['approve', '--model', 'm', '--version', '1', '--bogus'], /Unknown option '--bogus'/],
      ['ann', ['approve', '--model', 'm', '--version', '1', '--reason', 'x'.repeat(3000)], /--reason must be a non-empty text of at most 2000 characters/],
      [null, ['approve', '--model', 'm', '--version', '1'], /no credentials; set VIGIL_TOKEN.*\[VIGIL_AUTH_REQUIRED\]/],
    ];
    for (const [who, argv, message] of cases) {
      const r = await cli(who, ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
    expect(api.governanceTopic).toEqual([]);
    for (const name of ['submit', 'approve', 'reject', 'deploy', 'rollback', 'retire']) {
      const help = await cli('olga', name, '--help');
      expect(help.code).toBe(0);
      expect(help.out).toMatch(new RegExp(`^Usage: vigil ${name} `));
    }
  });

  it('vigil iolog read --api: the auditor gets the redacted entries; a viewer gets one 403 line naming the role', async () => {
    const { cli } = await setup();
    const read = await cli('aud', 'iolog', 'read', '--model', 'credit-risk', '--api', '--json');
    expect(read.code, read.err).toBe(0);
    const entry = JSON.parse(read.out) as { eventId: string; payload: { categorical: Record<string, string> } };
    expect(entry.eventId).toBe('evt-1');
    expect(entry.payload.categorical['note']).toBe('call [PHONE]');
    const denied = await cli('vic', 'iolog', 'read', '--model', 'credit-risk');
    expect(denied.code).toBe(2);
    expect(denied.err).toBe('vigil iolog: GET /v1/iolog?model=credit-risk&limit=100: 403 needs role auditor for model "credit-risk" (vic has viewer) [VIGIL_FORBIDDEN]');
    expect((await cli('aud', 'iolog', 'read', '--model', 'credit-risk', '--api', '--direct')).err).toMatch(/give --api or --direct, not both/);
    expect((await cli('aud', 'iolog', 'read', '--model', 'credit-risk', '--limit', '5000')).err).toMatch(/--limit must be a whole number from 1 to 1000/);
  });

  it('approve-response issues the requested command once, and explains bad usage', async () => {
    const { api, cli } = await setup();
    const request = approvalRequest('SHUTDOWN');
    api.alerts.fold(request);
    const commandId = request.evidence['commandId']!;
    const approved = await cli('ann', 'approve-response', commandId, '--model', 'credit-risk', '--reason', 'paged the owner');
    expect(approved.code, approved.err).toBe(0);
    expect(approved.out).toBe(
      `approved the response of credit-risk@3.2.0 by ann: APPROVED, event approval.${commandId}\ncommand ${commandId} issued: SHUTDOWN credit-risk@3.2.0 by ann, approval approval.${commandId}`,
    );
    expect(api.rollbackTopic.map((c) => [c.commandId, c.action, c.issuedBy])).toEqual([[commandId, 'SHUTDOWN', 'ann']]);
    const again = await cli('bob', 'approve-response', commandId, '--model', 'credit-risk');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/was already approved .*\[VIGIL_GOVERNANCE_REFUSED\]$/);
    const viewer = await cli('vic', 'approve-response', commandId, '--model', 'credit-risk');
    expect(viewer.code).toBe(2);
    expect(viewer.err).toMatch(/needs role approver or admin/);
    expect((await cli('ann', 'approve-response', '--model', 'credit-risk')).err).toMatch(/approve-response needs the COMMAND_ID/);
    expect((await cli('ann', 'approve-response', 'x/y', '--model', 'credit-risk')).err).toMatch(/COMMAND_ID must be 1 to 128 letters/);
    expect((await cli('ann', 'approve-response', commandId)).err).toMatch(/--model is required/);
  });
});
