import type { ValueTransformer } from 'typeorm';

/**
 * Reads a bigint column as a JS number. pg hands bigints over as strings because they can exceed 2^53;
 * the read models' bigint columns hold money and counts bounded far below that (see orderTotal).
 */
export const bigintAsNumber: ValueTransformer = {
  from: (value: string | null) => (value === null ? null : Number(value)),
  to: (value: number | null | undefined) => value,
};
