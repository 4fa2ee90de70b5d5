/** `vigil check MANIFEST`: compliance rule packs over a deployment manifest, for CI/CD and people. */
import { writeFileSync } from 'node:fs';
import { VigilError } from '../errors.js';
import { CHECK_FORMATS, evaluate, formatReport, loadPacks, type CheckFormat, type EvaluationContext } from '../governance/compliance/index.js';
import { MAX_MANIFEST_BYTES, parseManifest } from '../governance/manifest/validate.js';
import { readBounded, readJsonFile, vigilVersion } from '../governance/shared/files.js';
import { parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil check MANIFEST [--pack NAME|FILE ...] [--format text|json|sarif|junit] [--context FILE] [--output FILE]

Evaluates compliance rule packs against a deployment manifest (written by \`vigil capture\`). Each
finding names the rule, the manifest field at fault and the clause of the framework it implements.

Options:
  --pack NAME|FILE   a shipped pack (eu-ai-act, nist-ai-rmf, iso-42001) or a YAML/JSON pack file;
                     repeat for several (default: every shipped pack)
  --format F         text (default), json, sarif (SARIF 2.1.0) or junit (JUnit XML)
  --context FILE     JSON with what the registry knows: {"approvals":[{"actor","at"}],
                     "submitter", "approvedEarlier":[versions]}; without it, approval rules are
                     reported as not applicable and the rollback target is checked for presence only
  --output FILE      write the report to FILE instead of standard output

Exit status: 0 no error-severity finding, 1 violations, 2 bad usage, manifest or pack.
`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { pack: { type: 'string', multiple: true }, format: { type: 'string' }, context: { type: 'string' }, output: { type: 'string' } },
    1,
    'check',
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined) throw new VigilError('VIGIL_USAGE', 'expected a manifest file; see `vigil check --help`');
  const format = String(values.format ?? 'text');
  if (!(CHECK_FORMATS as readonly string[]).includes(format)) {
    throw new VigilError('VIGIL_USAGE', `--format must be ${CHECK_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  const packs = loadPacks((values.pack as string[] | undefined) ?? []);
  const context = values.context === undefined ? {} : readContext(String(values.context));
  const text = readBounded(file, MAX_MANIFEST_BYTES, 'manifest');
  const manifest = parseManifest(text, file);
  const report = evaluate(manifest, context, packs);
  const output = formatReport(report, format as CheckFormat, { manifestFile: file, manifestText: text, toolVersion: vigilVersion() });
  if (values.output !== undefined) {
    writeFileSync(String(values.output), `${output}\n`);
    if (format !== 'text') io.out(`${report.passed ? 'PASSED' : 'FAILED'}: ${report.counts.errors} errors, ${report.counts.warnings} warnings; report written to ${String(values.output)}`);
  } else {
    io.out(output);
  }
  return report.passed ? 0 : 1;
}

/** The evaluation context file: every part optional, each checked for its shape. */
export function readContext(file: string): EvaluationContext {
  const doc = readJsonFile(file, 4 * 1024 * 1024, 'context');
  const bad = (path: string, what: string): never => {
    throw new VigilError('VIGIL_INPUT_INVALID', `context ${file}: ${path} must be ${what}`, { details: { file, path } });
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return bad('(root)', 'an object');
  const d = doc as Record<string, unknown>;
  const allowed = ['approvals', 'submitter', 'approvedEarlier'];
  for (const key of Object.keys(d)) if (!allowed.includes(key)) bad(key, `absent (allowed keys: ${allowed.join(', ')})`);
  const out: { approvals?: { actor: string; at: number }[]; submitter?: string; approvedEarlier?: string[] } = {};
  if (d.approvals !== undefined) {
    if (!Array.isArray(d.approvals) || d.approvals.length > 1000) bad('approvals', 'an array of at most 1000 items');
    out.approvals = (d.approvals as unknown[]).map((a, i) => {
      const r = a as Record<string, unknown> | null;
      if (typeof r !== 'object' || r === null || typeof r.actor !== 'string' || r.actor.length === 0) return bad(`approvals[${i}].actor`, 'a non-empty string');
      if (!Number.isSafeInteger(r.at)) return bad(`approvals[${i}].at`, 'a time in ms since the epoch');
      return { actor: r.actor, at: r.at as number };
    });
  }
  if (d.submitter !== undefined) out.submitter = typeof d.submitter === 'string' ? d.submitter : bad('submitter', 'a string');
  if (d.approvedEarlier !== undefined) {
    if (!Array.isArray(d.approvedEarlier) || !d.approvedEarlier.every((v) => typeof v === 'string')) bad('approvedEarlier', 'an array of version strings');
    out.approvedEarlier = d.approvedEarlier as string[];
  }
  return out;
}
