export * from './types.js';
export { assembleEvidence } from './assemble.js';
export { renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';
export { driftChart } from './svg.js';
export { loadEvidenceDir, loadEvidenceTopics, type LoadedEvidence } from './load.js';
