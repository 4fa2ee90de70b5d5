/** `vigil audit verify | report`: checks the audit trail; writes the evidence report for auditors. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { infraFromEnv } from '../config/infra.js';
import { topicName } from '../contracts/topics.js';
import { VigilError } from '../errors.js';
import { ed25519EntryFromPem, keyringOf, readKeyring, type Keyring } from '../governance/audit/keys.js';
import { groupByChain, readAuditExport, readAuditTopic } from '../governance/audit/read.js';
import { verifyAuditTrail, type AuditVerification, type TrustedHead } from '../governance/audit/verify.js';
import { readJsonFile } from '../governance/shared/files.js';
import { kafkaClient } from '../pipeline/sink/kafka.js';
import { parseFlags } from './args.js';
import type { CommandIo } from './io.js';
import { evaluate } from '../governance/compliance/evaluate.js';
import { loadPacks } from '../governance/compliance/packs.js';
import { fold, complianceContext } from '../governance/registry/queries.js';
import { assembleEvidence, loadEvidenceDir, loadEvidenceTopics, renderHtml, renderMarkdown, type LoadedEvidence } from '../governance/report/index.js';

export const HELP = `Usage: vigil audit verify (--file EXPORT.jsonl | --topic [NAME]) [--keyring FILE | --key PEM ...]
                          [--chain ID] [--head FILE] [--save-head FILE] [--format text|json]
       vigil audit report --model ID [--from T] [--to T] --format html|json|md (--input DIR | --topics [--manifests DIR])
                          [--keyring FILE | --key PEM ...] [--output FILE]

verify reads every audit record (a JSON-lines export, or the audit topic up to its end) and checks, per
chain: each record's content against its hash, its signature (Ed25519 or HMAC-SHA256, by key id, inside
the key's validity window), the seq and prevHash links, and each checkpoint's Merkle root (RFC 6962)
against the records it covers. It reports every changed, removed, inserted, duplicated, reordered or
unreadable record and every bad signature by position and seq, with the reason; exit 1 on any finding.
Truncation of the end is found against a head saved by an earlier run (--head).

Options (verify):
  --file FILE       a JSON-lines export, one AuditRecord per line
  --topic [NAME]    the audit topic (default: VIGIL_TOPIC_PREFIX + "audit") on VIGIL_BROKERS
  --keyring FILE    JSON keyring: {"keys":[{"keyId","algorithm":"ed25519","publicKey":PEM} |
                    {"keyId","algorithm":"hmac-sha256","secret":base64}], optional validFrom/validUntil}
  --key PEM         an Ed25519 key file (public or private; repeatable); default: VIGIL_AUDIT_KEY_FILE
                    or .vigil/keys/audit-ed25519.pem when it exists
  --chain ID        verify only this chain
  --head FILE       the trusted head {"chainId","seq","hash"} (or a list of them) from an earlier run
  --save-head FILE  write each chain's head after a clean verification, for the next --head
  --format F        text (default) or json

report assembles an evidence pack for one model: manifests and SBOM summary, compliance results with
their clauses, approvals (who, when), deployments, alerts, rollbacks, drift over time as charts, and
the verification of the audit trail. It reads JSON-lines exports from --input DIR (manifests/*.json, governance.jsonl,
alerts.jsonl, rollback.jsonl, drift.jsonl and audit.jsonl, each optional), or the topics themselves
with --topics (VIGIL_TOPIC_PREFIX on VIGIL_BROKERS; manifests from --manifests DIR).

Options (report):
  --model ID            the model
  --from T, --to T      the period (ISO 8601 date or time; default: everything)
  --format F            html, json or md
  --input DIR           the folder of exports
  --topics              read the governance, alerts, rollback and audit topics instead
  --manifests DIR       with --topics: the folder of manifest files
  --pack NAME|FILE      rule packs for the compliance section (default: every shipped pack)
  --keyring FILE, --key PEM   keys to verify audit.jsonl (required when it is present)
  --output FILE         write the report to FILE (default: standard output)
`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    io.out(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'verify') return verify(rest, io);
  if (sub === 'report') return report(rest, io);
  throw new VigilError('VIGIL_USAGE', `expected verify or report, got ${JSON.stringify(sub)}; see \`vigil audit --help\``);
}

async function verify(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      file: { type: 'string' },
      topic: { type: 'boolean' },
      keyring: { type: 'string' },
      key: { type: 'string', multiple: true },
      chain: { type: 'string' },
      head: { type: 'string' },
      'save-head': { type: 'string' },
      format: { type: 'string' },
    },
    1,
    'audit verify',
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const format = String(values.format ?? 'text');
  if (format !== 'text' && format !== 'json') throw new VigilError('VIGIL_USAGE', `--format must be text or json, got ${JSON.stringify(format)}`);
  const file = values.file as string | undefined;
  if ((file === undefined) === (values.topic !== true)) throw new VigilError('VIGIL_USAGE', 'give exactly one of --file EXPORT.jsonl or --topic [NAME]; see `vigil audit --help`');
  if (positionals.length > 0 && values.topic !== true) throw new VigilError('VIGIL_USAGE', `unexpected argument ${JSON.stringify(positionals[0])}`);
  const keyring = loadKeyring(values.keyring as string | undefined, (values.key as string[] | undefined) ?? []);
  const heads = values.head === undefined ? new Map<string, TrustedHead>() : readHeads(String(values.head));

  let items: unknown[];
  let source: string;
  if (file !== undefined) {
    if (!existsSync(file)) throw new VigilError('VIGIL_INPUT_INVALID', `audit export ${file} does not exist`, { details: { file } });
    items = await readAuditExport(file);
    source = file;
  } else {
    const infra = infraFromEnv();
    const topic = positionals[0] ?? topicName(infra.topicPrefix, 'audit');
    items = await readAuditTopic(kafkaClient({ brokers: infra.brokers, clientId: 'vigil-audit-verify' }), topic, infra.registryUrl);
    source = `topic ${topic}`;
  }
  const chains = groupByChain(items);
  const only = values.chain as string | undefined;
  if (only !== undefined && !chains.has(only)) throw new VigilError('VIGIL_INPUT_INVALID', `${source} holds no chain ${JSON.stringify(only)} (chains: ${[...chains.keys()].join(', ') || 'none'})`);
  for (const chainId of heads.keys()) {
    if (!chains.has(chainId)) chains.set(chainId, []);
  }
  const results: AuditVerification[] = [];
  for (const [chainId, records] of chains) {
    if (only !== undefined && chainId !== only) continue;
    const trustedHead = heads.get(chainId);
    results.push(verifyAuditTrail(records, keyring, { chainId, ...(trustedHead !== undefined ? { trustedHead } : {}) }));
  }
  const ok = results.every((r) => r.ok);
  if (format === 'json') io.out(JSON.stringify({ ok, source, chains: results }, null, 2));
  else {
    if (results.length === 0) io.out(`${source} holds no audit records`);
    for (const r of results) {
      io.out(`${r.ok ? 'VERIFIED' : 'BROKEN'}  chain ${r.chainId}: ${r.records} records, ${r.checkpoints} checkpoints, keys ${r.keyIds.join(', ') || '-'}, head ${r.head === null ? '-' : `seq ${r.head.seq} ${r.head.hash}`}`);
      for (const f of r.findings) io.out(`  ${f.kind.padEnd(19)} ${f.message}`);
      if (r.findingsTruncated) io.out('  ... more findings were left out');
    }
  }
  const save = values['save-head'] as string | undefined;
  if (save !== undefined && ok) {
    writeFileSync(save, `${JSON.stringify(results.filter((r) => r.head !== null).map((r) => ({ chainId: r.chainId, ...r.head })), null, 2)}\n`);
  }
  return ok ? 0 : 1;
}

function loadKeyring(file: string | undefined, pems: readonly string[]): Keyring {
  if (file !== undefined && pems.length > 0) throw new VigilError('VIGIL_USAGE', 'give --keyring or --key, not both');
  if (file !== undefined) return readKeyring(file);
  let files = pems;
  if (files.length === 0) {
    const fallback = resolve(process.env.VIGIL_AUDIT_KEY_FILE ?? '.vigil/keys/audit-ed25519.pem');
    if (!existsSync(fallback)) throw new VigilError('VIGIL_USAGE', `no verification key: give --keyring FILE or --key PEM (${fallback} does not exist)`);
    files = [fallback];
  }
  return keyringOf(
    files.map((f) => {
      if (!existsSync(f)) throw new VigilError('VIGIL_CONFIG_INVALID', `key file ${f} does not exist`, { details: { file: f } });
      return ed25519EntryFromPem(readFileSync(f, 'utf8'), f);
    }),
  );
}

function readHeads(file: string): Map<string, TrustedHead> {
  const doc = readJsonFile(file, 1024 * 1024, 'trusted head');
  const list = Array.isArray(doc) ? doc : [doc];
  const heads = new Map<string, TrustedHead>();
  list.forEach((h: unknown, i) => {
    const x = (h ?? {}) as Record<string, unknown>;
    if (typeof x.chainId !== 'string' || !Number.isSafeInteger(x.seq) || typeof x.hash !== 'string' || !/^[0-9a-f]{64}$/.test(x.hash)) {
      throw new VigilError('VIGIL_INPUT_INVALID', `trusted head ${file} item ${i} must be {"chainId": string, "seq": integer, "hash": 64 hex digits}`, { details: { file, path: String(i) } });
    }
    heads.set(x.chainId, { seq: x.seq as number, hash: x.hash });
  });
  return heads;
}

async function report(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      model: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      input: { type: 'string' },
      topics: { type: 'boolean' },
      manifests: { type: 'string' },
      pack: { type: 'string', multiple: true },
      keyring: { type: 'string' },
      key: { type: 'string', multiple: true },
      output: { type: 'string' },
    },
    0,
    'audit report',
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const model = values.model as string | undefined;
  if (model === undefined || model.length === 0) throw new VigilError('VIGIL_USAGE', '--model is required; see `vigil audit --help`');
  const format = String(values.format ?? '');
  if (!['html', 'json', 'md'].includes(format)) throw new VigilError('VIGIL_USAGE', `--format must be html, json or md, got ${JSON.stringify(format)}`);
  const input = values.input as string | undefined;
  if ((input === undefined) === (values.topics !== true)) throw new VigilError('VIGIL_USAGE', 'give exactly one of --input DIR (the folder of JSON-lines exports) or --topics; see `vigil audit --help`');
  if (values.manifests !== undefined && values.topics !== true) throw new VigilError('VIGIL_USAGE', '--manifests goes with --topics (with --input, manifests are read from DIR/manifests)');
  const from = timeFlag(values.from, 'from');
  const to = timeFlag(values.to, 'to');
  if (from !== null && to !== null && from > to) throw new VigilError('VIGIL_USAGE', '--from is after --to');
  const hasKeys = values.keyring !== undefined || values.key !== undefined;
  const keys = () => loadKeyring(values.keyring as string | undefined, (values.key as string[] | undefined) ?? []);
  let loaded: LoadedEvidence;
  let auditItems: unknown[] | null = null;
  let unreadable: string[] = [];
  if (input !== undefined) {
    loaded = loadEvidenceDir(input);
    if (loaded.auditFile !== null) {
      if (!hasKeys) throw new VigilError('VIGIL_USAGE', `${loaded.auditFile} needs --keyring or --key to be verified`);
      auditItems = await readAuditExport(loaded.auditFile);
    }
  } else {
    if (!hasKeys) throw new VigilError('VIGIL_USAGE', 'the audit topic needs --keyring or --key to be verified');
    const infra = infraFromEnv();
    const fromTopics = await loadEvidenceTopics(kafkaClient({ brokers: infra.brokers, clientId: 'vigil-audit-report' }), {
      topicPrefix: infra.topicPrefix,
      registryUrl: infra.registryUrl,
      manifestDir: (values.manifests as string | undefined) ?? null,
    });
    loaded = fromTopics;
    auditItems = fromTopics.auditRecords;
    unreadable = fromTopics.unreadable;
  }
  let audit: AuditVerification[] | null = null;
  if (auditItems !== null) {
    const keyring = keys();
    audit = [...groupByChain(auditItems)].map(([chainId, records]) => verifyAuditTrail(records, keyring, { chainId }));
  }
  const packs = loadPacks((values.pack as string[] | undefined) ?? []);
  const { state } = fold(loaded.governance.filter((e) => e.modelId === model).sort((a, b) => a.timestamp - b.timestamp));
  const checks = loaded.manifests.filter((m) => m.modelId === model).map((m) => evaluate(m, complianceContext(state, m.modelId, m.modelVersion), packs));
  const evidence = assembleEvidence({ modelId: model, from, to, generatedAt: Date.now(), manifests: loaded.manifests, checks, governance: loaded.governance, alerts: loaded.alerts, rollbacks: loaded.rollbacks, drift: loaded.drift, audit, unreadable });
  const text = format === 'html' ? renderHtml(evidence) : format === 'md' ? renderMarkdown(evidence) : JSON.stringify(evidence, null, 2);
  if (values.output !== undefined) {
    writeFileSync(String(values.output), text.endsWith('\n') ? text : `${text}\n`);
    io.out(`evidence report for ${model} written to ${String(values.output)}`);
  } else io.out(text);
  return 0;
}

function timeFlag(value: unknown, name: string): number | null {
  if (value === undefined) return null;
  const text = String(value);
  const t = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?$/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(t)) throw new VigilError('VIGIL_USAGE', `--${name} must be an ISO 8601 date or time, got ${JSON.stringify(text)}`);
  return t;
}
