/**
 * The dependency list as a CycloneDX 1.6 JSON document, built with the CycloneDX library's models
 * and serializer (not by hand). Deterministic: components are sorted, bom-refs are package URLs, the
 * serial number is derived from the content and the timestamp is injected.
 */
import * as CDX from '@cyclonedx/cyclonedx-library';
import { sha256Hex } from '../../config/canonical.js';
import type { LockedPackage } from './lockfiles.js';
import type { CycloneDxDocument } from './types.js';

export interface SbomSubject {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly timestamp: Date;
  readonly toolVersion: string;
}

/** The package URL of a locked package (purl spec: npm scopes as `%40scope`, PyPI names normalised). */
export function purlOf(p: LockedPackage): string {
  const version = p.version === null ? '' : `@${encodeURIComponent(p.version)}`;
  if (p.ecosystem === 'npm') {
    const [scope, name] = p.name.startsWith('@') && p.name.includes('/') ? [p.name.slice(0, p.name.indexOf('/')), p.name.slice(p.name.indexOf('/') + 1)] : [null, p.name];
    return `pkg:npm/${scope === null ? '' : `${encodeURIComponent(scope)}/`}${encodeURIComponent(name)}${version}`;
  }
  return `pkg:pypi/${encodeURIComponent(p.name)}${version}`;
}

function licenseOf(text: string): CDX.Models.SpdxLicense | CDX.Models.NamedLicense | CDX.Models.LicenseExpression {
  const isSpdx = (id: string): boolean => CDX.SPDX.isSupportedSpdxId(id);
  if (isSpdx(text)) return new CDX.Models.SpdxLicense(text);
  if (/\s(AND|OR|WITH)\s/.test(text)) return new CDX.Models.LicenseExpression(text.replace(/^\((.*)\)$/, '$1'));
  const fixed = CDX.SPDX.fixupSpdxId(text);
  return fixed !== undefined ? new CDX.Models.SpdxLicense(fixed) : new CDX.Models.NamedLicense(text);
}

export function buildSbom(subject: SbomSubject, packages: readonly LockedPackage[]): CycloneDxDocument {
  const bom = new CDX.Models.Bom();
  const model = new CDX.Models.Component(CDX.Enums.ComponentType.MachineLearningModel, subject.modelId, { version: subject.modelVersion });
  model.bomRef.value = `model:${subject.modelId}@${subject.modelVersion}`;
  bom.metadata.component = model;
  bom.metadata.timestamp = subject.timestamp;
  bom.metadata.tools.components.add(new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'vigil', { version: subject.toolVersion }));
  const seen = new Set<string>();
  for (const p of packages) {
    const purl = purlOf(p);
    if (seen.has(purl)) continue;
    seen.add(purl);
    const [group, name] = p.ecosystem === 'npm' && p.name.startsWith('@') && p.name.includes('/') ? [p.name.slice(0, p.name.indexOf('/')), p.name.slice(p.name.indexOf('/') + 1)] : [undefined, p.name];
    const component = new CDX.Models.Component(CDX.Enums.ComponentType.Library, name, {
      group,
      version: p.version ?? undefined,
      scope: p.dev ? CDX.Enums.ComponentScope.Optional : CDX.Enums.ComponentScope.Required,
    });
    component.purl = purl;
    component.bomRef.value = purl;
    if (p.license !== null && p.license.length > 0) component.licenses.add(licenseOf(p.license));
    bom.components.add(component);
  }
  bom.serialNumber = uuidFrom(sha256Hex(`${subject.modelId}@${subject.modelVersion}\n${[...seen].sort().join('\n')}`));
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return JSON.parse(serializer.serialize(bom, { sortLists: true })) as CycloneDxDocument;
}

/** A version-4-shaped URN UUID from a hex digest, so the same content always gets the same serial number. */
function uuidFrom(hex: string): string {
  const h = hex.slice(0, 32).split('');
  h[12] = '4';
  h[16] = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `urn:uuid:${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/** Counts for the evidence report: components by ecosystem and licence. */
export function sbomSummary(sbom: CycloneDxDocument): { components: number; byEcosystem: Record<string, number>; byLicence: Record<string, number> } {
  const byEcosystem: Record<string, number> = {};
  const byLicence: Record<string, number> = {};
  const components = sbom.components ?? [];
  for (const c of components) {
    const eco = /^pkg:([a-z0-9]+)\//.exec(c.purl ?? '')?.[1] ?? 'other';
    byEcosystem[eco] = (byEcosystem[eco] ?? 0) + 1;
    const licences = (c.licenses ?? []).map((l) => ('expression' in l ? l.expression : (l.license.id ?? l.license.name ?? '?')));
    const key = licences.length === 0 ? '(none declared)' : licences.join(' / ');
    byLicence[key] = (byLicence[key] ?? 0) + 1;
  }
  return { components: components.length, byEcosystem, byLicence };
}
