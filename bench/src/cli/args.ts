/** Options of `npm run bench`. */
export interface BenchArgs {
  readonly quick: boolean;
  readonly smoke: boolean;
  readonly heavy: boolean;
  readonly browser: boolean;
  /** Only the end-to-end suite (file → overlay file, the peer, graph opening). */
  readonly e2eOnly: boolean;
  /** Leave the end-to-end suite out. */
  readonly noE2e: boolean;
  /** Leave the price and quality table out. */
  readonly noQuality: boolean;
  /** Held-out shapes images of the price and quality table (null: the mode's default, see qualityImages). */
  readonly qualityImages: number | null;
  /** Where results go (default bench/results). */
  readonly outDir: string | null;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench [-- --quick | --smoke | --heavy] [--browser] [--out DIR]

  --quick     a shorter run (under five minutes on two CPU cores without a GPU); the
              report lists what it leaves out
  --smoke     seconds: the small models only, one round each, to check a setup (not a
              benchmark; its ratios are not results)
  --heavy     add resnet50-style at batch 8 to a full run (about 20 more minutes on two
              CPU cores without a GPU)
  --browser   run the same measurements in headless Chromium (navigator.gpu) instead of
              Node (Dawn)
  --e2e-only  only the end-to-end suite: image file → overlay file per backend and batch,
              the Python peer (pytorch-grad-cam's maths on PyTorch CPU, when torch is
              installed), --method all, opening graph models
  --no-e2e    leave the end-to-end suite out
  --quality-images N
              held-out shapes images of the price and quality table (per method: time
              per explanation, pointing games, deletion / insertion AUC, average drop /
              increase, ROAD; plus the metric kernels' share of the forward passes).
              Default 2 in a full run (10-12 minutes on two loaded CPU cores without a
              GPU), 1 with --quick (about 6 minutes); the smoke run leaves it out
  --no-quality
              leave the price and quality table out
  --out DIR   write results to DIR instead of bench/results
`;

/**
 * Parses the benchmark's command line.
 *
 * @example
 * parseArgs(['--quick']); // { quick: true, smoke: false, heavy: false, browser: false, e2eOnly: false, noE2e: false, outDir: null, help: false }
 */
export function parseArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let smoke = false;
  let heavy = false;
  let browser = false;
  let e2eOnly = false;
  let noE2e = false;
  let outDir: string | null = null;
  let noQuality = false;
  let qualityImages: number | null = null;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--smoke') smoke = true;
    else if (arg === '--heavy') heavy = true;
    else if (arg === '--browser') browser = true;
    else if (arg === '--e2e-only') e2eOnly = true;
    else if (arg === '--no-e2e') noE2e = true;
    else if (arg === '--no-quality') noQuality = true;
    else if (arg === '--quality-images') {
      const value = Number(argv[i + 1]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`--quality-images needs a whole number of images ≥ 1; got '${argv[i + 1] ?? ''}'`);
      qualityImages = value;
      i += 1;
    }
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--out') {
      const value = argv[i + 1];
      if (!value || value.startsWith('--')) throw new Error('--out needs a directory');
      outDir = value;
      i += 1;
    } else if (arg === '--') continue;
    else throw new Error(`unknown option '${arg}'\n\n${USAGE}`);
  }
  if (quick && smoke) throw new Error('--quick and --smoke exclude each other');
  if (heavy && (quick || smoke)) throw new Error('--heavy only adds to a full run');
  if (e2eOnly && (noE2e || browser)) throw new Error('--e2e-only runs in Node and excludes --no-e2e');
  if (noQuality && qualityImages !== null) throw new Error('--no-quality and --quality-images exclude each other');
  return { quick, smoke, heavy, browser, e2eOnly, noE2e, noQuality, qualityImages, outDir, help };
}

/**
 * Images of the price and quality table for a run, or 0 when the run leaves it out (smoke
 * runs, --no-quality, --e2e-only).
 *
 * @example
 * qualityImages(parseArgs(['--quick'])); // 1
 */
export function qualityImages(args: BenchArgs): number {
  if (args.noQuality || args.e2eOnly) return 0;
  if (args.qualityImages !== null) return args.qualityImages;
  return args.smoke ? 0 : args.quick ? 1 : 2;
}
