import type * as tf from '@tensorflow/tfjs';
import { base64Ascii, nodeName, type GraphNode } from './graph-layers.js';

type Shape = number[];
type Attr = NonNullable<GraphNode['attr']>[string] & { b?: boolean; i?: string };

const SAME_SHAPE = new Set([
  'Identity', 'Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softplus', 'Softsign', 'Neg', 'Square', 'Sqrt', 'Rsqrt', 'Exp', 'Log', 'Abs',
  'Softmax', 'LogSoftmax', 'BiasAdd', 'FusedBatchNorm', 'FusedBatchNormV3', 'Swish', 'StopGradient', 'Snapshot', 'Floor', 'Round', 'Reciprocal', 'Erf', 'Prelu',
]);
const BROADCAST = new Set(['Mul', 'Add', 'AddV2', 'Sub', 'RealDiv', 'Div', 'Maximum', 'Minimum', 'SquaredDifference', 'Pow', 'FloorDiv']);
const REDUCE = new Set(['Mean', 'Max', 'Min', 'Sum', 'Prod']);

/**
 * Output shapes of a converted graph's nodes, worked out from its ops' attributes and
 * weight shapes instead of running it (on a software GPU a ResNet50 graph took longer to
 * open by running it on zeros than to explain an image). Knows the ops Keras models
 * convert to; `null` for a node whose shape it cannot tell (an op it does not know, or a
 * shape computed from data), so callers can fall back to running the graph.
 *
 * @example
 * const shapes = inferGraphShapes(nodes, model.weights, 'input', [1, 224, 224, 3]);
 */
export function inferGraphShapes(nodes: readonly GraphNode[], weights: tf.NamedTensorMap | Record<string, tf.Tensor[]>, input: string, inputShape: readonly number[]): Map<string, Shape | null> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const shapes = new Map<string, Shape | null>();
  // Small integer tensors (a Shape, a slice of it, a packed list): their values, for Reshape.
  const values = new Map<string, number[] | null>();
  const weight = (name: string): tf.Tensor | undefined => {
    const entry = (weights as Record<string, tf.Tensor | tf.Tensor[]>)[name];
    return Array.isArray(entry) ? entry[0] : entry;
  };
  const constValues = (name: string): number[] | null => {
    if (values.has(name)) return values.get(name)!;
    const t = weight(name);
    const v = t && t.size <= 64 ? Array.from(t.dataSync() as ArrayLike<number>) : null;
    values.set(name, v);
    return v;
  };
  const attr = (node: GraphNode, key: string): Attr | undefined => node.attr?.[key] as Attr | undefined;
  const ints = (node: GraphNode, key: string): number[] | undefined => attr(node, key)?.list?.i?.map(Number);
  const flag = (node: GraphNode, key: string): boolean => attr(node, key)?.b === true;
  const text = (node: GraphNode, key: string): string | undefined => (attr(node, key)?.s ? base64Ascii(attr(node, key)!.s!) : undefined);

  const visit = (name: string, stack: Set<string>): Shape | null => {
    if (shapes.has(name)) return shapes.get(name)!;
    if (stack.has(name)) return null;
    stack.add(name);
    const node = byName.get(name);
    const shape = node ? shapeOf(node, stack) : null;
    stack.delete(name);
    shapes.set(name, shape);
    return shape;
  };
  const inputShapes = (node: GraphNode, stack: Set<string>): (Shape | null)[] => (node.input ?? []).filter((i) => !i.startsWith('^')).map((i) => visit(nodeName(i), stack));

  const window = (inSize: number, k: number, s: number, d: number, padding: string, before = 0, after = 0): number =>
    padding === 'SAME' ? Math.ceil(inSize / s) : padding === 'EXPLICIT' ? Math.floor((inSize + before + after - (k - 1) * d - 1) / s) + 1 : Math.ceil((inSize - (k - 1) * d) / s);

  function shapeOf(node: GraphNode, stack: Set<string>): Shape | null {
    const ins = inputShapes(node, stack);
    const first = ins[0];
    const op = node.op;
    if (node.name === input || op === 'Placeholder') return node.name === input ? [...inputShape] : null;
    if (op === 'Const') {
      const t = weight(node.name);
      return t ? [...t.shape] : null;
    }
    if (ins.some((s) => s === null) && !['Shape', 'Pack', 'StridedSlice', 'Reshape', 'ConcatV2', 'Mean', 'Max', 'Min', 'Sum', 'Prod', 'Pad', 'MirrorPad'].includes(op)) return null;
    if (SAME_SHAPE.has(op)) return first ? [...first] : null;
    if (BROADCAST.has(op)) {
      const rank = Math.max(...ins.map((s) => s!.length));
      return Array.from({ length: rank }, (_, i) => Math.max(...ins.map((s) => s![s!.length - rank + i] ?? 1)));
    }
    if (op === 'Conv2D' || op === '_FusedConv2D' || op === 'DepthwiseConv2dNative' || op === 'FusedDepthwiseConv2dNative') {
      const filter = ins[1];
      if (!first || !filter || first.length !== 4 || filter.length !== 4 || (text(node, 'data_format') ?? 'NHWC') !== 'NHWC') return null;
      const [kh, kw, cin, cout] = filter as [number, number, number, number];
      const [, sh, sw] = ints(node, 'strides') ?? [1, 1, 1, 1];
      const [, dh, dw] = ints(node, 'dilations') ?? [1, 1, 1, 1];
      const padding = text(node, 'padding') ?? 'VALID';
      const explicit = ints(node, 'explicit_paddings') ?? [];
      const depthwise = op.includes('Depthwise');
      return [first[0]!, window(first[1]!, kh, sh!, dh!, padding, explicit[2], explicit[3]), window(first[2]!, kw, sw!, dw!, padding, explicit[4], explicit[5]), depthwise ? cin * cout : cout];
    }
    if (op === 'MaxPool' || op === 'AvgPool') {
      if (!first || first.length !== 4 || (text(node, 'data_format') ?? 'NHWC') !== 'NHWC') return null;
      const [, kh, kw] = ints(node, 'ksize') ?? [];
      const [, sh, sw] = ints(node, 'strides') ?? [];
      const padding = text(node, 'padding') ?? 'VALID';
      if (!kh || !kw || !sh || !sw) return null;
      return [first[0]!, window(first[1]!, kh, sh, 1, padding), window(first[2]!, kw, sw, 1, padding), first[3]!];
    }
    if (REDUCE.has(op)) {
      const axes = constValues(nodeName(node.input?.[1] ?? ''));
      if (!first || !axes) return null;
      const rank = first.length;
      const reduced = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
      return flag(node, 'keep_dims') ? first.map((d, i) => (reduced.has(i) ? 1 : d)) : first.filter((_, i) => !reduced.has(i));
    }
    if (op === 'Pad' || op === 'MirrorPad') {
      const paddings = constValues(nodeName(node.input?.[1] ?? ''));
      if (!first || !paddings || paddings.length !== 2 * first.length) return null;
      return first.map((d, i) => d + paddings[2 * i]! + paddings[2 * i + 1]!);
    }
    if (op === 'ConcatV2') {
      const parts = ins.slice(0, -1);
      const axisValue = constValues(nodeName(node.input?.[node.input.length - 1] ?? ''))?.[0];
      if (parts.some((p) => p === null) || axisValue === undefined || parts.length === 0) return null;
      const rank = parts[0]!.length;
      const axis = axisValue < 0 ? axisValue + rank : axisValue;
      const out = [...parts[0]!];
      out[axis] = parts.reduce((n, p) => n + p![axis]!, 0);
      return out;
    }
    if (op === 'MatMul') {
      const b = ins[1];
      if (!first || !b || first.length !== 2 || b.length !== 2) return null;
      const m = flag(node, 'transpose_a') ? first[1]! : first[0]!;
      const n = flag(node, 'transpose_b') ? b[0]! : b[1]!;
      return [m, n];
    }
    if (op === 'Squeeze') {
      if (!first) return null;
      const dims = ints(node, 'squeeze_dims') ?? [];
      const squeezed = new Set(dims.map((d) => (d < 0 ? d + first.length : d)));
      return first.filter((d, i) => (dims.length === 0 ? d !== 1 : !squeezed.has(i)));
    }
    if (op === 'Shape') {
      if (!first) return null;
      values.set(node.name, [...first]);
      return [first.length];
    }
    if (op === 'StridedSlice') {
      const source = values.has(nodeName(node.input?.[0] ?? '')) ? values.get(nodeName(node.input![0]!)) : constValues(nodeName(node.input?.[0] ?? ''));
      const [begin, end, strides] = [1, 2, 3].map((k) => constValues(nodeName(node.input?.[k] ?? ''))?.[0]);
      const shrink = Number(attr(node, 'shrink_axis_mask')?.i ?? 0);
      const endMask = Number(attr(node, 'end_mask')?.i ?? 0);
      const beginMask = Number(attr(node, 'begin_mask')?.i ?? 0);
      if (!source || begin === undefined || end === undefined || strides !== 1) return null;
      const from = beginMask & 1 ? 0 : begin;
      const to = shrink & 1 ? from + 1 : endMask & 1 ? source.length : end;
      const picked = source.slice(from < 0 ? from + source.length : from, to < 0 ? to + source.length : to);
      values.set(node.name, picked);
      return shrink & 1 ? [] : [picked.length];
    }
    if (op === 'Pack') {
      const packed = (node.input ?? []).map((i) => (values.has(nodeName(i)) ? values.get(nodeName(i)) : constValues(nodeName(i))));
      if (packed.some((v) => !v || v.length !== 1)) return null;
      values.set(node.name, packed.map((v) => v![0]!));
      return [packed.length];
    }
    if (op === 'Reshape') {
      const target = values.has(nodeName(node.input?.[1] ?? '')) ? values.get(nodeName(node.input![1]!)) : constValues(nodeName(node.input?.[1] ?? ''));
      if (!first || !target) return null;
      const total = first.reduce((a, b) => a * b, 1);
      const known = target.reduce((a, b) => (b === -1 ? a : a * b), 1);
      return target.map((d) => (d === -1 ? total / known : d));
    }
    return null;
  }

  const stack = new Set<string>();
  for (const node of nodes) visit(node.name, stack);
  return shapes;
}
