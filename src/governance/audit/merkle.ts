/**
 * Merkle trees in the manner of RFC 6962 (section 2.1; RFC 9162 section 2.1): SHA-256, leaf hash
 * H(0x00 || data), interior node H(0x01 || left || right), the tree over n leaves split at the largest
 * power of two below n. Inclusion proofs (audit paths) let one record be shown part of a signed tree
 * head without the rest of the log.
 */
import { createHash } from 'node:crypto';

export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(0)).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(1)).update(left).update(right).digest();
}

/** Largest power of two strictly below n (n >= 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The Merkle tree hash of leaf hashes [from, to). The empty tree's hash is SHA-256 of nothing. */
export function treeHash(leaves: readonly Uint8Array[], from = 0, to = leaves.length): Buffer {
  const n = to - from;
  if (n === 0) return createHash('sha256').digest();
  if (n === 1) return Buffer.from(leaves[from] as Uint8Array);
  const k = split(n);
  return nodeHash(treeHash(leaves, from, from + k), treeHash(leaves, from + k, to));
}

/** The audit path of leaf `index` in the tree over all `leaves`, nearest sibling first. */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): Buffer[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} is outside a tree of ${leaves.length}`);
  const path: Buffer[] = [];
  let from = 0;
  let to = leaves.length;
  let m = index;
  // Walk down from the root; each step keeps the subtree holding the leaf and records its sibling.
  const siblings: Buffer[] = [];
  while (to - from > 1) {
    const k = split(to - from);
    if (m < k) {
      siblings.push(treeHash(leaves, from + k, to));
      to = from + k;
    } else {
      siblings.push(treeHash(leaves, from, from + k));
      from += k;
      m -= k;
    }
  }
  for (let i = siblings.length - 1; i >= 0; i--) path.push(siblings[i] as Buffer);
  return path;
}

/** RFC 9162 section 2.1.3.2: does `path` prove leaf `index` with hash `leaf` in a tree of `size` with `root`? */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(Buffer.from(root));
}
