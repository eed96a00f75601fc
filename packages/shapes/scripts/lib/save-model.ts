import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import { SHAPE_CLASSES } from '../../src/index.js';
import { fileSystemSaver } from '../../src/node/index.js';

/**
 * Saves a LayersModel as `<dir>/model.json` + `weights.bin`, with `labels.json` (the class
 * names in logit order) beside it.
 *
 * @example
 * await saveShapesModel(model, 'models/shapes-cnn');
 */
export async function saveShapesModel(model: tfType.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(fileSystemSaver(dir));
  writeFileSync(join(dir, 'labels.json'), JSON.stringify(SHAPE_CLASSES, null, 2) + '\n');
}
