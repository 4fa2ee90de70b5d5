/**
 * The deployment manifest: what was deployed (artifact and configuration digests), where it runs
 * (the captured environment), what it depends on (a CycloneDX SBOM), who owns it, what it is for and
 * how risky it is, and what the team declares about it (documents, rollback target, monitoring, I/O
 * logging). Compliance rules read it; the registry refers to it by its hash.
 */

/** Risk classes in the manner of the EU AI Act, least to most restricted. */
export const RISK_CLASSES = ['minimal', 'limited', 'high', 'unacceptable'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

export const MODEL_KINDS = ['classifier', 'regressor', 'llm', 'ranker', 'other'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export const DETECTOR_KINDS = ['drift', 'anomaly', 'hallucination', 'performance'] as const;
export type DetectorKind = (typeof DETECTOR_KINDS)[number];

export interface RuntimeEnvironment {
  readonly os: { readonly platform: string; readonly release: string; readonly type: string };
  readonly arch: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly memoryBytes: number;
  /** Language runtimes and their versions, by name (`node`, `python`, ...). */
  readonly runtimes: Readonly<Record<string, string>>;
  /** `sha256:<64 hex>` of the container image, when given. */
  readonly containerImageDigest: string | null;
  readonly gitCommit: string | null;
  /** Names of the configured environment variables; never their values. */
  readonly envVarNames: readonly string[];
}

export interface DocumentRef {
  readonly uri: string;
  /** SHA-256 (hex) of the document's bytes, when it was read at capture. */
  readonly sha256: string | null;
}

export interface MonitoringDeclaration {
  /** The model's input features. */
  readonly features: readonly string[];
  readonly detectors: readonly { readonly name: string; readonly kind: DetectorKind; readonly features?: readonly string[] }[];
}

export interface DeploymentManifest {
  readonly manifestVersion: 1;
  readonly modelId: string;
  readonly modelVersion: string;
  /** When captured, ISO 8601 UTC. */
  readonly capturedAt: string;
  readonly owner?: string;
  readonly intendedUse?: string;
  readonly riskClass: RiskClass;
  readonly modelKind?: ModelKind;
  readonly artifact: { readonly uri: string; readonly sha256: string; readonly sizeBytes: number };
  readonly configuration: { readonly source: string | null; readonly sha256: string };
  readonly environment: RuntimeEnvironment;
  /** Documents by kind: `modelCard`, `dataProtectionAssessment`, `riskAssessment`, ... */
  readonly documents?: Readonly<Record<string, DocumentRef>>;
  readonly rollback?: { readonly targetVersion: string | null; readonly noTargetReason?: string | null };
  readonly monitoring?: MonitoringDeclaration;
  readonly ioLogging?: { readonly enabled: boolean; readonly encrypted: boolean; readonly retentionDays: number };
  readonly auditLog?: { readonly retentionDays: number };
  /** The dependencies: a CycloneDX 1.6 JSON document. */
  readonly sbom: CycloneDxDocument;
  /** `environmentHash(manifest)`, recorded at capture; checked on load. */
  readonly environmentHash: string;
}

/** The parts of a CycloneDX JSON document Vigil reads. */
export interface CycloneDxDocument {
  readonly bomFormat: 'CycloneDX';
  readonly specVersion: string;
  readonly components?: readonly CycloneDxComponent[];
  readonly [key: string]: unknown;
}

export interface CycloneDxComponent {
  readonly type: string;
  readonly name: string;
  readonly group?: string;
  readonly version?: string;
  readonly purl?: string;
  readonly licenses?: readonly ({ readonly license: { readonly id?: string; readonly name?: string } } | { readonly expression: string })[];
  readonly [key: string]: unknown;
}
