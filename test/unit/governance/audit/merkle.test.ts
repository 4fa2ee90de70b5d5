import { describe, expect, it } from 'vitest';
import { inclusionProof, leafHash, nodeHash, treeHash, verifyInclusion } from '../../../../src/governance/audit/merkle.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
// The reference inputs and tree heads of the Certificate Transparency test suite (RFC 6962 hashing).
const DATA = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const LEAVES = DATA.map((d) => leafHash(d));

describe('RFC 6962 Merkle tree hashes', () => {
  it('match the reference tree heads for every size from 0 to 8', () => {
    for (let n = 0; n <= 8; n++) expect(hex(treeHash(LEAVES.slice(0, n))), `size ${n}`).toBe(ROOTS[n]);
  });

  it('prefix leaves with 0x00 and nodes with 0x01', () => {
    expect(hex(leafHash(Buffer.alloc(0)))).toBe(ROOTS[1]);
    expect(hex(nodeHash(LEAVES[0] as Buffer, LEAVES[1] as Buffer))).toBe(ROOTS[2]);
  });

  it('give the reference audit paths', () => {
    expect(inclusionProof(LEAVES, 0).map(hex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(inclusionProof(LEAVES, 5).map(hex)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(inclusionProof(LEAVES.slice(0, 3), 2).map(hex)).toEqual([ROOTS[2]]);
  });
});

describe('inclusion proofs', () => {
  const many = Array.from({ length: 37 }, (_, i) => leafHash(Buffer.of(i, i * 7)));

  it('verify for every leaf of every tree size from 1 to 37', () => {
    for (let n = 1; n <= many.length; n++) {
      const leaves = many.slice(0, n);
      const root = treeHash(leaves);
      for (let i = 0; i < n; i++) expect(verifyInclusion(leaves[i] as Buffer, i, n, inclusionProof(leaves, i), root), `leaf ${i} of ${n}`).toBe(true);
    }
  });

  it('fail for another leaf, another index, another size, a changed path or a changed root', () => {
    const leaves = many.slice(0, 13);
    const root = treeHash(leaves);
    const path = inclusionProof(leaves, 6);
    expect(verifyInclusion(leaves[6] as Buffer, 6, 13, path, root)).toBe(true);
    expect(verifyInclusion(leaves[7] as Buffer, 6, 13, path, root)).toBe(false);
    expect(verifyInclusion(leaves[6] as Buffer, 7, 13, path, root)).toBe(false);
    // A size whose tree puts leaf 6 at another depth (8: one level less) cannot use the same path.
    expect(verifyInclusion(leaves[6] as Buffer, 6, 8, path, root)).toBe(false);
    expect(verifyInclusion(leaves[6] as Buffer, 6, 13, path.slice(1), root)).toBe(false);
    expect(verifyInclusion(leaves[6] as Buffer, 6, 13, [...path, path[0] as Buffer], root)).toBe(false);
    const bent = path.map((p, i) => (i === 1 ? Buffer.from(p).fill(0, 0, 1) : p));
    expect(verifyInclusion(leaves[6] as Buffer, 6, 13, bent, root)).toBe(false);
    expect(verifyInclusion(leaves[6] as Buffer, 6, 13, path, leaves[0] as Buffer)).toBe(false);
    expect(verifyInclusion(leaves[6] as Buffer, -1, 13, path, root)).toBe(false);
    expect(verifyInclusion(leaves[6] as Buffer, 13, 13, path, root)).toBe(false);
  });

  it('refuses to prove a leaf outside the tree', () => {
    expect(() => inclusionProof(many.slice(0, 4), 4)).toThrow(RangeError);
  });
});
