/**
 * `vigil submit | approve | reject | deploy | rollback | retire | approve-response`: the governance actions, as calls to the admin
 * API with VIGIL_TOKEN at VIGIL_API_URL (src/cli/api-client.ts). One command object per action, each
 * with its HELP and run; `src/main.ts` registers each. The server decides: a 403 names the missing
 * role, a 409 the registry's refusal (exit 1), in one line.
 */
import { VigilError } from '../errors.js';
import { readManifest } from '../governance/manifest/validate.js';
import { ApiClient, apiClientOptionsFromEnv } from './api-client.js';
import { parseFlags, type FlagSpec } from './args.js';
import type { CommandIo } from './io.js';

export interface GovernanceCommand {
  readonly HELP: string;
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

interface Outcome {
  eventId: string;
  type: string;
  modelId: string;
  modelVersion: string;
  actor: string;
  timestamp: number;
  status?: string;
  events?: string[];
  check?: { passed: boolean; errors: number; warnings: number; findings: { ruleId: string; severity: string; clause: string; path: string; message: string }[] };
  command?: { commandId: string; action: string; fromVersion: string; toVersion: string; issuedBy: string; approvalId: string | null };
}

const ENV_NOTE = `Calls the admin API with VIGIL_TOKEN at VIGIL_API_URL (default http://VIGIL_HTTP_HOST:VIGIL_HTTP_PORT).
Exit 0 when the step is recorded, 1 when the registry refuses it (409: the reason is printed),
2 on bad usage, missing credentials or a missing role (403 names it).`;

const COMMON: FlagSpec = { model: { type: 'string' }, version: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean' } };

/** A path segment: the API's identifiers are 1-200 characters without control characters or '/'. */
function segment(value: unknown, flag: string, command: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new VigilError('VIGIL_USAGE', `--${flag} is required; see \`vigil ${command} --help\``);
  // eslint-disable-next-line no-control-regex
  if (value.length > 200 || /[\u0000-\u001f\u007f/]/.test(value)) throw new VigilError('VIGIL_USAGE', `--${flag} must be 1 to 200 characters without '/' or control characters, got ${JSON.stringify(value.slice(0, 60))}`);
  return encodeURIComponent(value);
}

function text(value: unknown, flag: string, max = 2000): string | undefined {
  if (value === undefined) return undefined;
  const s = String(value);
  if (s.trim().length === 0 || s.length > max) throw new VigilError('VIGIL_USAGE', `--${flag} must be a non-empty text of at most ${max} characters`);
  return s;
}

function report(io: CommandIo, outcome: Outcome, json: boolean, verb: string): void {
  if (json) {
    io.out(JSON.stringify(outcome));
    return;
  }
  io.out(`${verb} ${outcome.modelId}@${outcome.modelVersion} by ${outcome.actor}: ${outcome.type}, event ${outcome.eventId}${outcome.status ? `; the version is now ${outcome.status}` : ''}`);
  if (outcome.check) {
    const c = outcome.check;
    io.out(`compliance check ${c.passed ? 'passed' : 'FAILED'}: ${c.errors} error(s), ${c.warnings} warning(s)`);
    for (const f of c.findings) io.out(`  ${f.severity.padEnd(7)} ${f.ruleId} [${f.clause}] ${f.path}: ${f.message}`);
  }
  if (outcome.command) {
    const c = outcome.command;
    io.out(`command ${c.commandId} issued: ${c.action} ${outcome.modelId}@${c.fromVersion}${c.toVersion ? ` -> ${c.toVersion}` : ''} by ${c.issuedBy}, approval ${c.approvalId ?? '(none)'}`);
  }
}

function command(name: string, usage: string, description: string, flags: FlagSpec, maxPositionals: number, build: (values: Record<string, unknown>, positionals: string[]) => { path: string; body: Record<string, unknown>; verb: string }): GovernanceCommand {
  const HELP = `Usage: vigil ${name} ${usage}

${description}

${ENV_NOTE}
`;
  return {
    HELP,
    async run(argv, io) {
      const { values, positionals } = parseFlags(argv, { ...COMMON, ...flags }, maxPositionals, name);
      if (values.help) {
        io.out(HELP);
        return 0;
      }
      const request = build(values, positionals);
      const client = new ApiClient(apiClientOptionsFromEnv(process.env));
      const outcome = await client.request<Outcome>('POST', request.path, request.body);
      report(io, outcome, values.json === true, request.verb);
      return 0;
    },
  };
}

const versionPath = (values: Record<string, unknown>, name: string, action: string): string =>
  `/v1/models/${segment(values['model'], 'model', name)}/versions/${segment(values['version'], 'version', name)}/${action}`;

export const submit = command(
  'submit',
  'MANIFEST.json [--reason TEXT] [--json]',
  `Submits the model version a deployment manifest (from \`vigil capture\`) describes. The server checks
the manifest against its schema and the compliance rule packs and records the submission and the
check's result on the governance topic; a failed check leaves the version check-failed (resubmit a
fixed manifest). The model and version come from the manifest; --model/--version, when given, must match.`,
  {},
  1,
  (values, positionals) => {
    const file = positionals[0];
    if (file === undefined) throw new VigilError('VIGIL_USAGE', 'submit needs the manifest file; see `vigil submit --help`');
    const manifest = readManifest(file);
    for (const [flag, field] of [['model', 'modelId'], ['version', 'modelVersion']] as const) {
      if (values[flag] !== undefined && values[flag] !== manifest[field]) {
        throw new VigilError('VIGIL_USAGE', `--${flag} ${JSON.stringify(values[flag])} differs from the manifest's ${field} ${JSON.stringify(manifest[field])} in ${file}`);
      }
    }
    const reason = text(values['reason'], 'reason');
    return {
      path: versionPath({ model: manifest.modelId, version: manifest.modelVersion }, 'submit', 'submit'),
      body: { manifest, ...(reason !== undefined ? { reason } : {}) },
      verb: 'submitted',
    };
  },
);

export const approve = command(
  'approve',
  '--model ID --version V [--reason TEXT] [--json]',
  `Approves a checked version (role approver). The submitter of a version cannot approve it, and no
identity approves the same version twice; a high-risk version needs two approvers.`,
  {},
  0,
  (values) => {
    const reason = text(values['reason'], 'reason');
    return { path: versionPath(values, 'approve', 'approve'), body: reason === undefined ? {} : { reason }, verb: 'approved' };
  },
);

export const reject = command(
  'reject',
  '--model ID --version V --reason TEXT [--json]',
  'Rejects a submitted version (role approver), with the reason; it may be submitted again.',
  {},
  0,
  (values) => {
    const reason = text(values['reason'], 'reason');
    if (reason === undefined) throw new VigilError('VIGIL_USAGE', 'reject needs --reason TEXT; see `vigil reject --help`');
    return { path: versionPath(values, 'reject', 'reject'), body: { reason }, verb: 'rejected' };
  },
);

export const deploy = command(
  'deploy',
  '--model ID --version V (--rollback-target V | --no-target-reason TEXT) [--reason TEXT] [--json]',
  `Records the deployment of an approved version (role operator). It must name its rollback target (an
approved version submitted before it) or say why there is none.`,
  { 'rollback-target': { type: 'string' }, 'no-target-reason': { type: 'string' } },
  0,
  (values) => {
    const target = values['rollback-target'];
    const why = text(values['no-target-reason'], 'no-target-reason');
    if ((target === undefined) === (why === undefined)) throw new VigilError('VIGIL_USAGE', 'deploy needs exactly one of --rollback-target V or --no-target-reason TEXT; see `vigil deploy --help`');
    if (target !== undefined) segment(target, 'rollback-target', 'deploy');
    const reason = text(values['reason'], 'reason');
    return {
      path: versionPath(values, 'deploy', 'deploy'),
      body: { ...(target !== undefined ? { rollbackTarget: String(target) } : { noTargetReason: why }), ...(reason !== undefined ? { reason } : {}) },
      verb: 'deployed',
    };
  },
);

export const rollback = command(
  'rollback',
  '--model ID [--to V] --reason TEXT [--json]',
  `Rolls the model's deployed version back (role operator) to --to, by default the last approved version
submitted before it.`,
  { to: { type: 'string' } },
  0,
  (values) => {
    if (values['version'] !== undefined) throw new VigilError('VIGIL_USAGE', 'rollback acts on the deployed version; give --to V for the target, not --version');
    const reason = text(values['reason'], 'reason');
    if (reason === undefined) throw new VigilError('VIGIL_USAGE', 'rollback needs --reason TEXT; see `vigil rollback --help`');
    if (values['to'] !== undefined) segment(values['to'], 'to', 'rollback');
    return {
      path: `/v1/models/${segment(values['model'], 'model', 'rollback')}/rollback`,
      body: { reason, ...(values['to'] !== undefined ? { toVersion: String(values['to']) } : {}) },
      verb: 'rolled back',
    };
  },
);

export const retire = command(
  'retire',
  '--model ID --version V --reason TEXT [--json]',
  'Retires a version (role operator): it no longer serves and is no rollback target, with the reason.',
  {},
  0,
  (values) => {
    const reason = text(values['reason'], 'reason');
    if (reason === undefined) throw new VigilError('VIGIL_USAGE', 'retire needs --reason TEXT; see `vigil retire --help`');
    return { path: versionPath(values, 'retire', 'retire'), body: { reason }, verb: 'retired' };
  },
);

export const approveResponse = command(
  'approve-response',
  'COMMAND_ID --model ID [--reason TEXT] [--json]',
  `Approves a rollback, fallback or shutdown the response policy asked approval for (role approver): the
CRITICAL GOVERNANCE alert of the request names COMMAND_ID in its evidence (commandId). The server
issues the command on the rollback topic with that id, records the approval and audits it, in one
transaction. A ROLLBACK is refused (409) unless its target is still the last approved version before
the failing one; a command is approved once only.`,
  {},
  1,
  (values, positionals) => {
    if (values['version'] !== undefined) throw new VigilError('VIGIL_USAGE', 'approve-response takes the version from the request; give COMMAND_ID and --model, not --version');
    const commandId = positionals[0];
    if (commandId === undefined) throw new VigilError('VIGIL_USAGE', 'approve-response needs the COMMAND_ID of the request; see `vigil approve-response --help`');
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(commandId)) throw new VigilError('VIGIL_USAGE', `COMMAND_ID must be 1 to 128 letters, digits, '_' or '-', got ${JSON.stringify(commandId.slice(0, 60))}`);
    const reason = text(values['reason'], 'reason');
    return {
      path: `/v1/models/${segment(values['model'], 'model', 'approve-response')}/responses/${commandId}/approve`,
      body: reason === undefined ? {} : { reason },
      verb: 'approved the response of',
    };
  },
);
