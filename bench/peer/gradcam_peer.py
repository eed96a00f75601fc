#!/usr/bin/env python3
"""The benchmark's Python peer: Grad-CAM as pytorch-grad-cam computes it, image file in,
overlay file out, on PyTorch's CPU backend.

pytorch-grad-cam itself is not installable where the benchmark is built, so this is the
same math written out (pytorch_grad_cam 1.5: GradCAM + show_cam_on_image):
  - a torchvision network with random (seeded) weights, eval mode;
  - forward hook on the target layer (activations), tensor hook for its gradient;
  - targets: argmax of the logits read back to numpy (ClassifierOutputTarget);
  - loss = sum of the target logits, backward;
  - activations and gradients to numpy; w = mean over h, w of the gradients;
    cam = ReLU(sum_c w_c A_c); per map: cam -= min, cam /= (1e-7 + max); cv2.resize to the
    input size (scale_cam_image, bilinear); cv2.applyColorMap(uint8(255 cam), JET) -> RGB;
    out = 0.5 heat + 0.5 image, / max, uint8(255 out) (show_cam_on_image, use_rgb=True).
  - files: cv2.imread -> RGB float / 255, ImageNet mean/std; cv2.imwrite PNG.

It is a line-protocol worker (see bench/src/e2e/protocol.ts): one JSON request per stdin
line, one reply per stdout line starting with '@@wgcam-e2e '.

Needs: torch, numpy, opencv-python-headless, and torchvision if it imports (else the two
architectures come from peer_nets.py, written out the same). Install with
  python3 -m pip install torch torchvision numpy opencv-python-headless
(CPU wheels: add --index-url https://download.pytorch.org/whl/cpu). Run standalone:
  python3 bench/peer/gradcam_peer.py --arch resnet50 --threads 1 --check
"""
import argparse
import json
import os
import sys
import time

PREFIX = '@@wgcam-e2e '
INSTALL = 'python3 -m pip install torch torchvision numpy opencv-python-headless'


def reply(value):
    sys.stdout.write(PREFIX + json.dumps(value) + '\n')
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--arch', default='resnet50', choices=['resnet50', 'mobilenet_v2'])
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--check', action='store_true', help='say whether the dependencies are there, then exit')
    args = parser.parse_args()
    try:
        import cv2
        import numpy as np
        import torch
    except ImportError as error:
        reply({'ok': False, 'missing': True, 'error': f'{error}; install with: {INSTALL}'})
        return 2
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(args.threads)
    except RuntimeError:
        pass
    cv2.setNumThreads(args.threads)
    try:
        import torchvision
        nets = f'torchvision {torchvision.__version__}'
    except Exception as error:  # its compiled ops must match torch exactly; the architectures are written out in peer_nets.py
        torchvision = None
        nets = f'torchvision did not import ({type(error).__name__}), its {args.arch} written out in bench/peer/peer_nets.py'
    versions = f'torch {torch.__version__}, {nets}, numpy {np.__version__}, OpenCV {cv2.__version__}, {torch.get_num_threads()} thread(s)'
    if args.check:
        reply({'ok': True, 'ready': versions})
        return 0

    torch.manual_seed(0)
    if torchvision is None:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import peer_nets
        model = peer_nets.ResNet50() if args.arch == 'resnet50' else peer_nets.MobileNetV2()
    else:
        model = torchvision.models.resnet50(weights=None) if args.arch == 'resnet50' else torchvision.models.mobilenet_v2(weights=None)
    layer = model.layer4[-1] if args.arch == 'resnet50' else model.features[-1]
    model.eval()
    store = {}

    def save_activation(module, inputs, output):
        store['a'] = output

        def save_gradient(grad):
            store['g'] = grad

        output.register_hook(save_gradient)

    layer.register_forward_hook(save_activation)
    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32)

    def explain(paths, out):
        t0 = time.perf_counter()
        images = []
        for path in paths:
            bgr = cv2.imread(path, cv2.IMREAD_COLOR)
            if bgr is None:
                raise ValueError(f'cannot read {path}')
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            if rgb.shape[0] != args.size or rgb.shape[1] != args.size:
                rgb = cv2.resize(rgb, (args.size, args.size))
            images.append(np.float32(rgb) / 255)
        batch = torch.from_numpy(np.stack([(im - mean) / std for im in images]).transpose(0, 3, 1, 2).copy())
        t1 = time.perf_counter()
        model.zero_grad()
        logits = model(batch)
        targets = np.argmax(logits.cpu().data.numpy(), axis=-1)
        loss = sum(logits[i, int(t)] for i, t in enumerate(targets))
        loss.backward(retain_graph=True)
        t2 = time.perf_counter()
        a = store['a'].cpu().data.numpy()
        g = store['g'].cpu().data.numpy()
        weights = np.mean(g, axis=(2, 3))
        cam = np.maximum((weights[:, :, None, None] * a).sum(axis=1), 0)
        overlays = []
        for i, image in enumerate(images):
            m = cam[i] - np.min(cam[i])
            m = m / (1e-7 + np.max(m))
            m = cv2.resize(m, (image.shape[1], image.shape[0]))
            heat = cv2.applyColorMap(np.uint8(255 * m), cv2.COLORMAP_JET)
            heat = np.float32(cv2.cvtColor(heat, cv2.COLOR_BGR2RGB)) / 255
            blend = 0.5 * heat + 0.5 * image
            blend = blend / np.max(blend)
            overlays.append(np.uint8(255 * blend))
        t3 = time.perf_counter()
        os.makedirs(out, exist_ok=True)
        for path, overlay in zip(paths, overlays):
            name = os.path.splitext(os.path.basename(path))[0]
            cv2.imwrite(os.path.join(out, f'{name}.gradcam.png'), cv2.cvtColor(overlay, cv2.COLOR_RGB2BGR))
        t4 = time.perf_counter()
        return {'ok': True, 'seconds': t4 - t0, 'model': t2 - t1, 'cam': t3 - t2, 'io': (t1 - t0) + (t4 - t3)}

    reply({'ok': True, 'ready': versions})
    for line in sys.stdin:
        request = json.loads(line)
        if request.get('op') == 'exit':
            break
        try:
            if request.get('op') != 'explain':
                raise ValueError(f"unknown op {request.get('op')}")
            reply(explain(request['images'], request['out']))
        except Exception as error:  # reported to the suite, which fails the case
            reply({'ok': False, 'error': f'{type(error).__name__}: {error}'})
    return 0


if __name__ == '__main__':
    sys.exit(main())
