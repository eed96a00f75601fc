/**
 * Builders for the TensorFlow GraphDef JSON that `tf.loadGraphModel` reads (the protobuf
 * JSON mapping: 64-bit ints as strings, strings as base64, enums by name).
 */

/** One GraphDef node as JSON. */
export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
}

/** The subset of AttrValue used by the exporter. */
export type AttrValue =
  | { type: TfDataType }
  | { b: boolean }
  | { s: string }
  | { list: { i?: string[] } }
  | { shape: TensorShape }
  | { tensor: { dtype: TfDataType; tensorShape: TensorShape } };

export type TfDataType = 'DT_FLOAT' | 'DT_INT32';

export interface TensorShape {
  dim?: { size: string }[];
}

/** A tensor shape; -1 marks an unknown dimension (the batch). */
export function tensorShape(shape: readonly number[]): TensorShape {
  return { dim: shape.map((d) => ({ size: String(d) })) };
}

/** A string attribute (GraphDef stores bytes, the JSON mapping base64-encodes them). */
export function stringAttr(value: string): AttrValue {
  return { s: btoa(value) };
}

export function intListAttr(values: readonly number[]): AttrValue {
  return { list: { i: values.map(String) } };
}

export const FLOAT: AttrValue = { type: 'DT_FLOAT' };

/** A Const node; its value comes from the weight manifest entry with the same name. */
export function constNode(name: string, dtype: TfDataType, shape: readonly number[]): GraphNode {
  return {
    name,
    op: 'Const',
    attr: { dtype: { type: dtype }, value: { tensor: { dtype, tensorShape: tensorShape(shape) } } },
  };
}
