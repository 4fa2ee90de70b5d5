/**
 * Shape checks for NumericColumns arriving in a worker. O(1): they check lengths, not values (NaN is
 * a legal value meaning "absent"), so a malformed batch fails with a message instead of reading out of
 * bounds or silently scoring garbage.
 */
import type { NumericColumns } from '../../src/contracts/batch.js';
import { assertOptional } from './optional.js';

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

export function assertColumns(columns: NumericColumns, where: string): void {
  if (columns === null || typeof columns !== 'object') throw new TypeError(`${where}: columns must be a NumericColumns object`);
  const { count, featureCount } = columns;
  if (!isCount(count)) throw new RangeError(`${where}: columns.count must be a non-negative integer, got ${String(count)}`);
  if (!isCount(featureCount)) throw new RangeError(`${where}: columns.featureCount must be a non-negative integer, got ${String(featureCount)}`);
  const expect = (name: string, array: unknown, ctor: Float64ArrayConstructor | Uint8ArrayConstructor, length: number): void => {
    if (!(array instanceof ctor)) throw new TypeError(`${where}: columns.${name} must be a ${ctor.name}`);
    if (array.length !== length) throw new RangeError(`${where}: columns.${name} has ${array.length} values, expected ${length}`);
  };
  expect('features', columns.features, Float64Array, count * featureCount);
  expect('scores', columns.scores, Float64Array, count);
  expect('latencies', columns.latencies, Float64Array, count);
  expect('statuses', columns.statuses, Uint8Array, count);
  expect('timestamps', columns.timestamps, Float64Array, count);
  assertOptional(columns, count, where);
}
