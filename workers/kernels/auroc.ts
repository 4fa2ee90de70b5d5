/**
 * Area under the ROC curve of scores against binary labels: the Mann–Whitney U statistic over the
 * pooled ranks, ties given their average rank (so tied scores count one half), pairs with a NaN score
 * or a label other than 0/1 left out. 1 = every positive above every negative, 0.5 = chance. NaN
 * without at least one positive and one negative.
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (scores.length !== labels.length) throw new RangeError(`auroc: ${scores.length} scores for ${labels.length} labels`);
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    const l = labels[i]!;
    if (s === s && (l === 0 || l === 1)) idx.push(i);
  }
  idx.sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let k = 0; k < idx.length; ) {
    let j = k;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[k]!]) j++;
    const avg = (k + j) / 2 + 1;
    for (let t = k; t <= j; t++) {
      if (labels[idx[t]!] === 1) {
        positives++;
        rankSum += avg;
      }
    }
    k = j + 1;
  }
  const negatives = idx.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
