/** Inline SVG line charts (no script, no external file): drift score over time per feature, with its threshold. */
import type { DriftPoint } from './types.js';

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const W = 640;
const H = 200;
const PAD = { left: 52, right: 16, top: 16, bottom: 32 };

export function driftChart(feature: string, points: readonly DriftPoint[]): string {
  const finite = points.filter((p) => Number.isFinite(p.score) && Number.isFinite(p.at));
  if (finite.length === 0) return `<p class="muted">No drift scores for ${esc(feature)}.</p>`;
  const t0 = Math.min(...finite.map((p) => p.at));
  const t1 = Math.max(...finite.map((p) => p.at));
  const threshold = finite.find((p) => p.threshold !== null && Number.isFinite(p.threshold))?.threshold ?? null;
  const yMax = Math.max(...finite.map((p) => p.score), threshold ?? 0) * 1.1 || 1;
  const x = (t: number) => PAD.left + (t1 === t0 ? (W - PAD.left - PAD.right) / 2 : ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right));
  const y = (v: number) => H - PAD.bottom - (Math.max(0, v) / yMax) * (H - PAD.top - PAD.bottom);
  const path = finite.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(p.score).toFixed(1)}`).join(' ');
  const dots = finite.map((p) => `<circle cx="${x(p.at).toFixed(1)}" cy="${y(p.score).toFixed(1)}" r="3"><title>${esc(`${new Date(p.at).toISOString()} ${p.score.toFixed(4)}`)}</title></circle>`).join('');
  const ticks = [0, yMax / 2, yMax]
    .map((v) => `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text><line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" class="grid"/>`)
    .join('');
  const limit = threshold === null ? '' : `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(threshold).toFixed(1)}" y2="${y(threshold).toFixed(1)}" class="threshold"/><text x="${W - PAD.right}" y="${(y(threshold) - 4).toFixed(1)}" text-anchor="end" class="threshold-label">threshold ${threshold}</text>`;
  const axis = `<text x="${PAD.left}" y="${H - 8}">${esc(new Date(t0).toISOString().slice(0, 16).replace('T', ' '))}</text><text x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${esc(new Date(t1).toISOString().slice(0, 16).replace('T', ' '))}</text>`;
  return `<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(`drift of ${feature} over time`)}"><g class="axis">${ticks}${axis}</g>${limit}<path d="${path}" class="line"/><g class="dots">${dots}</g></svg><figcaption>Drift score of <strong>${esc(feature)}</strong> (${finite.length} windows)</figcaption></figure>`;
}
