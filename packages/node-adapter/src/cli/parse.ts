import { InvalidArgumentError } from 'commander';
import { isMethodName, METHOD_NAMES, type MethodName } from '@wgcam/core';
import { parsePreprocess, type ChannelTransform, type PreprocessPreset } from '@wgcam/core/tfjs';

/** Parses `WxH` (width first, as image tools write sizes, e.g. 320x240) into a size. */
export function parseSize(text: string): { height: number; width: number } {
  const match = /^(\d+)[x×](\d+)$/i.exec(text.trim());
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || height <= 0 || width <= 0) throw new InvalidArgumentError(`'${text}' is not a size; write WxH (width x height), e.g. 320x240`);
  return { height, width };
}

/** Parses `--preprocess`: a preset name or `scale=S;offset=O[;order=bgr]`, as a commander argument error when wrong. */
export function parsePreprocessArgument(text: string): PreprocessPreset | ChannelTransform {
  try {
    return parsePreprocess(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Parses `--method`: one method, a comma-separated list, or `all`. */
export function parseMethods(text: string): MethodName | MethodName[] | 'all' {
  if (text.trim() === 'all') return 'all';
  const names = text.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !isMethodName(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new InvalidArgumentError(`unknown method ${unknown.map((n) => `'${n}'`).join(', ') || "''"}; use ${METHOD_NAMES.join(', ')}, a comma-separated list of them, or all`);
  }
  return names.length === 1 ? (names[0] as MethodName) : (names as MethodName[]);
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
