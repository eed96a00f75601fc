import { InvalidArgumentError } from 'commander';

/** Parses `HxW` (e.g. 224x224) into a size. */
export function parseSize(text: string): { height: number; width: number } {
  const match = /^(\d+)[x×](\d+)$/i.exec(text.trim());
  const height = Number(match?.[1]);
  const width = Number(match?.[2]);
  if (!match || height <= 0 || width <= 0) throw new InvalidArgumentError(`'${text}' is not a size; write HxW, e.g. 224x224`);
  return { height, width };
}

/** Parses a number in [low, high]. */
export function parseNumberIn(low: number, high: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < low || value > high) {
      throw new InvalidArgumentError(`'${text}' is not a number in [${low}, ${high}]`);
    }
    return value;
  };
}

/** Parses a comma-separated list of non-negative class indices. */
export function parseClassList(text: string): number[] {
  const classes = text.split(',').map((s) => Number(s.trim()));
  if (classes.length === 0 || classes.some((c) => !Number.isInteger(c) || c < 0)) {
    throw new InvalidArgumentError(`'${text}' is not a class index or comma-separated list of them`);
  }
  return classes;
}
