/** The CAM methods the engine computes. */
export const METHOD_NAMES = ['cam', 'gradcam', 'gradcam++', 'xgradcam', 'layercam', 'hirescam', 'scorecam'] as const;

/** One of METHOD_NAMES. */
export type MethodName = (typeof METHOD_NAMES)[number];

/** What a method needs besides the activations. */
export type MethodInput = 'gradients' | 'dense-kernel' | 'scores';

/** A method's display name, its paper and what it needs. */
export interface MethodInfo {
  readonly name: MethodName;
  readonly title: string;
  readonly paper: string;
  readonly needs: MethodInput;
}

/**
 * Every method with its display title and source.
 *
 * @example
 * for (const m of METHOD_NAMES) console.log(METHODS[m].title, METHODS[m].needs);
 */
export const METHODS: Readonly<Record<MethodName, MethodInfo>> = {
  cam: { name: 'cam', title: 'CAM', paper: 'Zhou et al. 2016', needs: 'dense-kernel' },
  gradcam: { name: 'gradcam', title: 'Grad-CAM', paper: 'Selvaraju et al. 2017', needs: 'gradients' },
  'gradcam++': { name: 'gradcam++', title: 'Grad-CAM++', paper: 'Chattopadhyay et al. 2018', needs: 'gradients' },
  xgradcam: { name: 'xgradcam', title: 'XGrad-CAM', paper: 'Fu et al. 2020', needs: 'gradients' },
  layercam: { name: 'layercam', title: 'Layer-CAM', paper: 'Jiang et al. 2021', needs: 'gradients' },
  hirescam: { name: 'hirescam', title: 'HiResCAM', paper: 'Draelos & Carin 2020', needs: 'gradients' },
  scorecam: { name: 'scorecam', title: 'Score-CAM', paper: 'Wang et al. 2020', needs: 'scores' },
};

/**
 * Whether `name` is a method the engine knows.
 *
 * @example
 * if (!isMethodName(flag)) throw new Error(`unknown method ${flag}`);
 */
export function isMethodName(name: string): name is MethodName {
  return (METHOD_NAMES as readonly string[]).includes(name);
}
