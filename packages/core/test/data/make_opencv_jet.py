"""Writes opencv-jet.json: entries of OpenCV's COLORMAP_JET (RGB bytes) for wgcam's
jet-opencv test, from opencv-python-headless (not needed by npm test; rerun by hand):

    pip install opencv-python-headless numpy
    python3 packages/core/test/data/make_opencv_jet.py
"""
import json
import pathlib

import cv2
import numpy as np

# Every 5th level, plus the levels next to jet's kinks (x = k/8) where rounding is closest.
LEVELS = sorted(set(range(0, 256, 5)) | {1, 31, 32, 33, 95, 96, 97, 158, 159, 160, 161, 223, 224, 225, 254})

table = cv2.applyColorMap(np.arange(256, dtype=np.uint8).reshape(256, 1), cv2.COLORMAP_JET).reshape(256, 3)
out = {
    "source": f"cv2.applyColorMap(levels, cv2.COLORMAP_JET), opencv {cv2.__version__}, BGR reversed to RGB",
    "entries": {str(i): [int(v) for v in table[i, ::-1]] for i in LEVELS},
}
path = pathlib.Path(__file__).with_name("opencv-jet.json")
lines = [f'  "{k}": {json.dumps(v)}' for k, v in out["entries"].items()]
path.write_text('{\n "source": ' + json.dumps(out["source"]) + ',\n "entries": {\n' + ",\n".join(lines) + "\n }\n}\n")
print(f"wrote {len(LEVELS)} entries to {path}")
