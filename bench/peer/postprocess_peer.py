#!/usr/bin/env python3
"""Grad-CAM post-processing as pytorch-grad-cam does it on the CPU, numpy + OpenCV only:
the peer of wgcam's post-processing in the bench (bench/src/postprocess/).

From activations A and gradients G of one image (h×w×C, NHWC, float32) to a heatmap and
an RGB overlay at size×size, the steps of pytorch_grad_cam 1.5 (GradCAM,
scale_cam_image, show_cam_on_image with use_rgb=True, image_weight 0.5):
  w = mean over h, w of G;  cam = ReLU(Σ_c w_c A_c)  (numpy, float32)
  cam -= min; cam /= 1e-7 + max; cv2.resize to size×size (bilinear)  (scale_cam_image)
  cam -= min; cam /= 1e-7 + max                          (aggregate_multi_layers: at output size)
  heat = applyColorMap(uint8(255·cam), JET) → RGB, /255; out = 0.5·heat + 0.5·image;
  out /= max(out); uint8(255·out)
Timed with perf_counter around all of that (inputs already in memory, as wgcam's are
already on the GPU); median and minimum of `--rounds` calls after 5 warm-up calls.
One thread by default (cv2.setNumThreads), as the bench's other peer.

Prints one JSON line: {"ok": true, "median_ms", "min_ms", "cpu_median_ms" (process CPU time
per call, all threads), "rounds", "versions", "max"}
("max": the heatmap's maximum, a check that the steps ran), or {"ok": false, "missing": true, ...}
when numpy or OpenCV is missing (exit code 2).
  python3 bench/peer/postprocess_peer.py --height 7 --width 7 --channels 2048 --size 224
"""
import argparse
import json
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--height', type=int, default=7)
    parser.add_argument('--width', type=int, default=7)
    parser.add_argument('--channels', type=int, default=2048)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--rounds', type=int, default=50)
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    try:
        import cv2
        import numpy as np
    except ImportError as error:
        print(json.dumps({'ok': False, 'missing': True, 'error': f'{error}; install with: python3 -m pip install numpy opencv-python-headless'}))
        return 2
    cv2.setNumThreads(args.threads)
    rng = np.random.default_rng(1)
    h, w, c, size = args.height, args.width, args.channels, args.size
    activations = rng.random((h, w, c), dtype=np.float32)
    gradients = (rng.random((h, w, c), dtype=np.float32) * 2 - 1).astype(np.float32)
    image = np.full((size, size, 3), 128 / 255, dtype=np.float32)

    def scale(cam, target=None):
        cam = cam - np.min(cam)
        cam = cam / (1e-7 + np.max(cam))
        return cv2.resize(cam, target) if target is not None else cam

    def once():
        weights = gradients.mean(axis=(0, 1))
        cam = np.maximum(activations @ weights, 0).astype(np.float32)
        cam = scale(scale(cam, (size, size)))
        heat = cv2.applyColorMap(np.uint8(255 * cam), cv2.COLORMAP_JET)
        heat = cv2.cvtColor(heat, cv2.COLOR_BGR2RGB).astype(np.float32) / 255
        out = 0.5 * heat + 0.5 * image
        out = out / np.max(out)
        return cam, np.uint8(255 * out)

    for _ in range(5):
        once()
    times = []
    cpu_times = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        cpu_start = time.process_time()
        cam, _overlay = once()
        cpu_times.append((time.process_time() - cpu_start) * 1000)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    cpu_times.sort()
    versions = f'numpy {np.__version__}, OpenCV {cv2.__version__}, {args.threads} thread(s)'
    print(json.dumps({'ok': True, 'median_ms': times[len(times) // 2], 'min_ms': times[0], 'cpu_median_ms': cpu_times[len(cpu_times) // 2], 'rounds': args.rounds, 'versions': versions, 'max': float(cam.max())}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
