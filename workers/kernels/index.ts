/** Allocation-free math over typed arrays: callers pass the output buffers. */
export { nextUp } from './float.js';
export { quantileEdges } from './quantiles.js';
export { binCounts } from './histogram.js';
export { psi, PSI_CONVENTION, PSI_EPSILON } from './psi.js';
export { MOMENTS_SIZE, mean, mergeMoments, moments, variance } from './moments.js';
