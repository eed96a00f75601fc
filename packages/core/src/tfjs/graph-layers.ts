import { ModelError } from './errors.js';
import { closestNames, isSpatialShape, listSome, POOLING_OPS } from './layer-names.js';
import { shapeText } from './shape-text.js';

/** The parts of a GraphDef node wgcam reads. */
export interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  readonly attr?: Record<string, { readonly s?: string; readonly list?: { readonly i?: readonly string[]; readonly s?: readonly string[] } } | undefined>;
}

/** A MaxPool the converter moved an activation behind: wgcam pools the map itself and feeds the result past it. */
export interface MovedPool {
  /** The moved activation's node, fed with the pooled map (non-negative, so the activation is the identity there). */
  readonly feed: string;
  readonly size: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
}

/** Where a Keras layer's map is in a converted graph. */
export interface GraphLayerMap {
  /** The Keras layer path (`out_relu`, `sequential_1/model1/out_relu`), or the node name when named by node. */
  readonly layer: string;
  /** The node whose output is the map, or, with `activation`, whose activated output is. */
  readonly node: string;
  /** An activation the converter moved after a pooling op; wgcam applies it to `node` itself. */
  readonly activation?: 'Relu' | 'Relu6';
  /** With `activation`: the pooling that followed the layer in Keras, redone on the map in the head. */
  readonly pool?: MovedPool;
  /** The map is a pooling layer's (the recipe explains the map before pooling). */
  readonly pooled?: boolean;
  readonly note?: string;
}

export function nodeName(input: string): string {
  return input.replace(/^\^/, '').replace(/:\d+$/, '');
}

// Name segments that TF adds below a Keras layer's scope for the ops it emits.
const OP_SEGMENTS = new Set(['FusedBatchNormV3', 'FusedBatchNorm', 'BiasAdd', 'Conv2D', 'MatMul', 'depthwise', 'separable_conv2d', 'Mean', 'ReadVariableOp']);
const MOVABLE_ACTIVATIONS = new Set(['Relu', 'Relu6']);
const CONST_OPS = new Set(['Const', 'Placeholder', 'NoOp']);
const PASS_THROUGH = new Set(['Identity', 'IdentityN', 'Snapshot', 'StopGradient']);

/**
 * The converter names nodes `StatefulPartitionedCall/<model>/<layer path>/<op...>`;
 * the Keras layer path is what is left without the call prefix, the outer model's name
 * and the op segments.
 */
function layerPathOf(name: string): { path: string; scope: string } | null {
  const parts = name.split('/');
  let start = 0;
  while (parts[start] === 'StatefulPartitionedCall' || parts[start] === 'PartitionedCall') start++;
  if (start > 0) start++; // the outer model's name
  let end = parts.length - 1;
  while (end > start && OP_SEGMENTS.has(parts[end - 1]!)) end--;
  if (end <= start) return null;
  return { path: parts.slice(start, end).join('/'), scope: parts.slice(0, end).join('/') };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** GraphDef string attributes arrive base64-encoded; these are short ASCII words (VALID, NHWC). */
export function base64Ascii(text: string): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const char of text.replace(/=+$/, '')) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) return '';
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((value >> bits) & 0xff);
    }
  }
  return out;
}

function pair(list: readonly string[] | undefined): [number, number] | undefined {
  const [n, h, w, c] = (list ?? []).map(Number);
  return n === 1 && c === 1 && h !== undefined && w !== undefined && h > 0 && w > 0 ? [h, w] : undefined;
}

/** A MaxPool's window, strides and padding from its NHWC attributes, or undefined when they are not plain 2-D ones. */
function poolOf(node: GraphNode, feed: string): MovedPool | undefined {
  const size = pair(node.attr?.['ksize']?.list?.i);
  const strides = pair(node.attr?.['strides']?.list?.i);
  const paddingText = node.attr?.['padding']?.s ? base64Ascii(node.attr['padding'].s) : undefined;
  const format = node.attr?.['data_format']?.s ? base64Ascii(node.attr['data_format'].s) : 'NHWC';
  if (!size || !strides || (paddingText !== 'VALID' && paddingText !== 'SAME') || format !== 'NHWC') return undefined;
  return { feed, size, strides, padding: paddingText === 'VALID' ? 'valid' : 'same' };
}

const FUSED_CONVOLUTIONS = new Set(['_FusedConv2D', 'FusedDepthwiseConv2dNative']);
const ACTIVATION_OPS = new Set(['Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Prelu', 'Selu']);

/** The activation a fused convolution applies after itself (its `fused_ops` attribute), if any. */
function fusedActivation(node: GraphNode): string | undefined {
  const ops = (node.attr?.['fused_ops']?.list as { s?: readonly string[] } | undefined)?.s?.map(base64Ascii) ?? [];
  return ops.find((op) => ACTIVATION_OPS.has(op));
}

/** A converted graph indexed for finding Keras layers in it. */
export class GraphIndex {
  readonly byName: Map<string, GraphNode>;
  private readonly consumers = new Map<string, GraphNode[]>();
  private readonly order = new Map<string, number>();

  constructor(
    readonly nodes: readonly GraphNode[],
    readonly logits: string,
  ) {
    this.byName = new Map(nodes.map((n) => [n.name, n]));
    for (const node of nodes) {
      for (const input of node.input ?? []) {
        const from = nodeName(input);
        const list = this.consumers.get(from) ?? [];
        list.push(node);
        this.consumers.set(from, list);
      }
    }
    this.topologicalOrder();
  }

  /** The node feeding the graph's output, past Identity and Softmax: the pre-softmax logits. */
  static logitsOf(nodes: readonly GraphNode[], output: string): string {
    const byName = new Map(nodes.map((n) => [n.name, n]));
    let name = nodeName(output);
    for (let steps = 0; steps < 16; steps++) {
      const node = byName.get(name);
      const first = node?.input?.[0];
      if (!node || !first) break;
      if (PASS_THROUGH.has(node.op)) name = nodeName(first);
      else if (node.op === 'Softmax') return nodeName(first);
      else break;
    }
    return name;
  }

  /** Position of a node in a topological order of the nodes the logits depend on (-1 when they do not). */
  position(name: string): number {
    return this.order.get(name) ?? -1;
  }

  /** Non-constant nodes that could hold a map, in topological order. */
  computeNodes(): string[] {
    this.computed ??= [...this.order.keys()].filter((n) => !CONST_OPS.has(this.byName.get(n)?.op ?? 'Const'));
    return this.computed;
  }

  private computed: string[] | undefined;
  private pathsOf: { name: string; found: { path: string; scope: string } | null }[] | undefined;

  /** Every computing node with the Keras layer path its name carries, worked out once. */
  private nodePaths(): { name: string; found: { path: string; scope: string } | null }[] {
    this.pathsOf ??= this.computeNodes().map((name) => ({ name, found: layerPathOf(name) }));
    return this.pathsOf;
  }

  private topologicalOrder(): void {
    const visiting = new Set<string>();
    const stack: { name: string; expanded: boolean }[] = [{ name: this.logits, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (this.order.has(top.name)) continue;
      if (top.expanded) {
        this.order.set(top.name, this.order.size);
        continue;
      }
      if (visiting.has(top.name)) continue;
      visiting.add(top.name);
      stack.push({ name: top.name, expanded: true });
      for (const input of this.byName.get(top.name)?.input ?? []) stack.push({ name: nodeName(input), expanded: false });
    }
  }

  /** Keras layer paths that own computing nodes, in the order their outputs are computed. */
  layerPaths(): string[] {
    const paths = new Map<string, number>();
    for (const { name, found } of this.nodePaths()) if (found) paths.set(found.path, this.position(name));
    return [...paths.entries()].sort((a, b) => a[1] - b[1]).map(([path]) => path);
  }

  /**
   * Where the map of Keras layer `path` is: the layer's nodes whose output leaves the
   * layer. A layer whose ReLU the converter moved after a MaxPool (max and ReLU commute)
   * has two exits; its map is the ReLU of the pre-pool node, which wgcam applies itself.
   */
  mapOfLayer(path: string): GraphLayerMap | string {
    // An exact path wins: Keras names may contain '/' themselves (DenseNet's 'conv1/relu').
    const paths = this.nodePaths();
    const exact = paths.filter((p) => p.found?.path === path);
    const chosen = exact.length > 0 ? exact : paths.filter((p) => p.found?.path.endsWith(`/${path}`));
    const scopes = new Set(chosen.map((p) => p.found!.scope));
    const members = chosen.map((p) => p.name);
    if (scopes.size > 1) return `layer name '${path}' is ambiguous in this graph (${[...scopes].join(', ')}); give the full path`;
    const inside = new Set(members);
    const exits = members.filter((n) => n === this.logits || (this.consumers.get(n) ?? []).some((c) => !inside.has(c.name)));
    if (exits.length === 0) {
      const fusedInto = this.fusedInto(path);
      return fusedInto
        ? `the converter fused layer '${path}' into node '${fusedInto}' (Conv2D, BatchNorm and activation become one op), so its own output is not in the graph; explain the layer that node is named after, or use the LayersModel`
        : `the graph has no layer '${path}'`;
    }
    const layer = exits.length > 0 ? (layerPathOf(exits[0]!)?.path ?? path) : path;
    if (exits.length === 1) {
      const refusal = this.ownOutput(layer, exits[0]!);
      if (refusal) return refusal;
      const after = this.activationMovedAfter(exits[0]!);
      if (after) {
        return { layer, node: after.name, pooled: true, note: `the converter moved the ${after.op} before ${layer} after it (they commute), so the layer's map is node '${after.name}'` };
      }
      return { layer, node: exits[0]! };
    }
    const moved = exits.map((n) => this.byName.get(n)!).find((n) => MOVABLE_ACTIVATIONS.has(n.op) && this.byName.get(nodeName(n.input?.[0] ?? ''))?.op === 'MaxPool');
    const pool = moved ? this.byName.get(nodeName(moved.input![0]!)) : undefined;
    const preActivation = pool ? nodeName(pool.input?.[0] ?? '') : undefined;
    const movedPool = moved && pool ? poolOf(pool, moved.name) : undefined;
    if (moved && movedPool && preActivation && inside.has(preActivation) && exits.length === 2 && exits.includes(preActivation)) {
      return {
        layer,
        node: preActivation,
        activation: moved.op as 'Relu' | 'Relu6',
        pool: movedPool,
        note: `the converter moved ${layer}'s ${moved.op} after the following MaxPool (they commute), so the graph holds no node with the layer's map; wgcam applies ${moved.op} to '${preActivation}' itself and pools it in the head, which gives the layer's map and gradient exactly`,
      };
    }
    return `layer '${path}' leaves several outputs in the graph (${exits.join(', ')}); name one of these nodes instead`;
  }

  /**
   * Why the single node leaving a layer's scope does not hold the layer's own output, or
   * undefined when it does. The converter keeps a node's name when it fuses what follows
   * into it: a depthwise convolution fused with its BatchNorm and ReLU6 is still named
   * `.../block_1_depthwise/depthwise` but outputs the ReLU6's map; a SeparableConv2D's
   * depthwise half is named after the layer while its pointwise half went into the next
   * fused node. Taking such a node as the layer's map would explain the wrong tensor.
   */
  private ownOutput(layer: string, exit: string): string | undefined {
    const node = this.byName.get(exit)!;
    const lastSegment = exit.split('/').pop() ?? '';
    const activation = fusedActivation(node);
    const foldedBatchNorm = FUSED_CONVOLUTIONS.has(node.op) && (node.input ?? []).some((i) => /_bn_offset(:\d+)?$/.test(i));
    if (!activation && foldedBatchNorm && lastSegment !== 'FusedBatchNormV3' && lastSegment !== 'FusedBatchNorm') {
      return `the converter folded the BatchNorm after layer '${layer}' into node '${exit}', which keeps the layer's name but outputs the normalised map, not the layer's own output. To explain that map (the BatchNorm layer's), name the node: --layer ${exit}`;
    }
    if (activation && lastSegment !== activation) {
      return `the converter fused layer '${layer}' with the BatchNorm and ${activation} that follow it into node '${exit}', which keeps the layer's name but outputs the map after ${activation}, not the layer's own output. To explain that map (the activation layer's), name the node: --layer ${exit}`;
    }
    if (exit.includes('/separable_conv2d/') && node.op.includes('Depthwise')) {
      const pointwise = this.consumers.get(exit)?.find((c) => !CONST_OPS.has(c.op));
      return `layer '${layer}' is a SeparableConv2D: the graph keeps its depthwise half under its name and fused its pointwise half into node '${pointwise?.name ?? '(unknown)'}' with what follows, so its own output is not in the graph; explain the layer that node is named after`;
    }
    return undefined;
  }

  /** A ReLU the converter moved from before a MaxPool to after it: the pool's Keras output is that ReLU's. */
  private activationMovedAfter(exit: string): GraphNode | undefined {
    const node = this.byName.get(exit)!;
    if (node.op !== 'MaxPool') return undefined;
    const scope = layerPathOf(exit)?.scope;
    const users = (this.consumers.get(exit) ?? []).filter((c) => !CONST_OPS.has(c.op));
    const moved = users.find((c) => MOVABLE_ACTIVATIONS.has(c.op) && layerPathOf(c.name)?.scope !== scope);
    return moved && users.length === 1 ? moved : undefined;
  }

  private fusedInto(path: string): string | undefined {
    for (const node of this.nodes) {
      if (!CONST_OPS.has(node.op)) continue;
      if (!node.name.includes(`/${path}/`)) continue;
      const user = this.consumers.get(node.name)?.find((c) => !CONST_OPS.has(c.op));
      if (user) return user.name;
    }
    return undefined;
  }

  /** Whether a node's output is a pooled map (the recipe explains the map before pooling). */
  isPooling(node: string): boolean {
    return POOLING_OPS.has(this.byName.get(node)?.op ?? '');
  }
}

/** A layer of a graph, resolved, with its map's shape. */
export interface ResolvedGraphLayer extends GraphLayerMap {
  readonly shape: readonly number[];
}

/**
 * Resolves `requested` (a Keras layer name or path, or a node name) or, when omitted,
 * the layer the Keras recipe uses: the last spatial map (h·w > 1) before the head that
 * is not pooled. `shapes` gives every computing node's output shape.
 */
export function resolveGraphLayer(index: GraphIndex, shapes: ReadonlyMap<string, readonly number[]>, requested: string | undefined): ResolvedGraphLayer {
  const spatialLayers = listGraphLayers(index, shapes);
  const usable = spatialLayers.filter((l) => typeof l.map !== 'string');
  if (requested === undefined) {
    const recipe = [...usable].reverse().find((l) => typeof l.map !== 'string' && isSpatialShape(l.shape) && !l.map.pooled && !index.isPooling(l.map.node));
    if (!recipe || typeof recipe.map === 'string') {
      throw new ModelError('the graph has no spatial feature map (a node with a [B, h, w, C] output, h·w > 1, before pooling) to explain');
    }
    return { ...recipe.map, shape: recipe.shape };
  }
  const names = usable.map((l) => l.path);
  const direct = index.byName.get(requested);
  if (direct && shapes.has(requested)) {
    const shape = shapes.get(requested)!;
    if (shape.length !== 4) throw new ModelError(`node '${requested}' outputs shape ${shapeText(shape)}, not a 4-D [B, h, w, C] feature map; choose one of: ${listSome(closestNames(requested, names), names.length)}`);
    return { layer: requested, node: requested, shape };
  }
  const map = index.mapOfLayer(requested);
  if (typeof map === 'string') {
    const suggestions = listSome(closestNames(requested, names), names.length);
    if (!map.startsWith('the graph has no layer')) throw new ModelError(`${map}. Layers with a 4-D output: ${suggestions}`);
    throw new ModelError(
      `the graph has no layer or node named '${requested}'; closest layers with a 4-D output: ${suggestions}. ` +
        '(The converter folds BatchNorm and activation layers into the convolution before them, leaving them no node of their own; `wgcam layers` lists what the graph holds.)',
    );
  }
  const shape = shapes.get(map.node) ?? [];
  if (shape.length !== 4) throw new ModelError(`layer '${requested}' (node '${map.node}') outputs shape ${shapeText(shape)}, not a 4-D [B, h, w, C] feature map; choose one of: ${listSome(closestNames(requested, names), names.length)}`);
  return { ...map, shape };
}

/** Every Keras layer of the graph whose map is 4-D, or why it cannot be read, in computation order. */
export function listGraphLayers(index: GraphIndex, shapes: ReadonlyMap<string, readonly number[]>): { path: string; map: GraphLayerMap | string; shape: readonly number[] }[] {
  const out: { path: string; map: GraphLayerMap | string; shape: readonly number[]; at: number }[] = [];
  for (const path of index.layerPaths()) {
    const map = index.mapOfLayer(path);
    const node = typeof map === 'string' ? undefined : map.node;
    const shape = node ? (shapes.get(node) ?? []) : [];
    if (node && shape.length !== 4) continue;
    if (!node) continue; // layers without a readable map are explained when asked for by name
    out.push({ path: typeof map === 'string' ? path : map.layer, map, shape, at: index.position(node) });
  }
  return out.sort((a, b) => a.at - b.at);
}
