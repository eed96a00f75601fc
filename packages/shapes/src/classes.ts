/**
 * The object classes of the shapes data set, in label order: label i is SHAPE_CLASSES[i].
 * The trained model's logits follow this order, and models/shapes-cnn/labels.json repeats it.
 */
export const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'star', 'cross'] as const;

/** One of the class names in {@link SHAPE_CLASSES}. */
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

/** Number of classes (the model's logit count). */
export const NUM_SHAPE_CLASSES = SHAPE_CLASSES.length;
