import { fileURLToPath } from 'node:url';

// Both resolve from dist/explain (or src/explain under tsx) to the repository root.
/** The bundled shapes model (a LayersModel) that is used when no model is given. */
export const BUNDLED_MODEL = fileURLToPath(new URL('../../../../models/shapes-cnn/model.json', import.meta.url));
/** The bundled sample images that `wgcam explain` explains when given no paths. */
export const BUNDLED_SAMPLES = fileURLToPath(new URL('../../../../samples', import.meta.url));
