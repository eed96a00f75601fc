// The page's small pure helpers, run in Node (no browser needed).
import { describe, expect, it } from 'vitest';
import { cameraErrorMessage } from '../src/input/camera.js';
import { isGraphModel, parseLabels, parseModelJson } from '../src/model/model-json.js';
import { ModelLoadFailure } from '../src/model/loaded-model.js';
import { routeFiles } from '../src/ui/drop-target.js';

describe('model.json handling', () => {
  it('tells layers models from graph models and rejects what is not a model', () => {
    expect(isGraphModel(parseModelJson('{"format":"layers-model","modelTopology":{}}', 'm.json'))).toBe(false);
    expect(isGraphModel(parseModelJson('{"format":"graph-model","modelTopology":{"node":[]}}', 'm.json'))).toBe(true);
    expect(isGraphModel(parseModelJson('{"modelTopology":{"node":[]}}', 'm.json'))).toBe(true);
    expect(() => parseModelJson('<!doctype html>', 'index.html')).toThrow(ModelLoadFailure);
    expect(() => parseModelJson('<!doctype html>', 'index.html')).toThrow(/index\.html is not JSON/);
    expect(() => parseModelJson('{"weights":[]}', 'w.json')).toThrow(/no modelTopology/);
  });

  it('reads labels from an array or a { labels } object, and ignores broken files', () => {
    expect(parseLabels('["a","b"]')).toEqual(['a', 'b']);
    expect(parseLabels('{"labels":["x"]}')).toEqual(['x']);
    expect(parseLabels('[1,2]')).toBeUndefined();
    expect(parseLabels('not json')).toBeUndefined();
  });
});

describe('camera errors', () => {
  it('say what to do for each getUserMedia failure', () => {
    expect(cameraErrorMessage(new DOMException('denied', 'NotAllowedError'))).toMatch(/permission was denied.*Start camera/);
    expect(cameraErrorMessage(new DOMException('none', 'NotFoundError'))).toMatch(/No camera was found/);
    expect(cameraErrorMessage(new DOMException('busy', 'NotReadableError'))).toMatch(/another application/);
    expect(cameraErrorMessage(new DOMException('insecure', 'SecurityError'))).toMatch(/https:\/\/ or from http:\/\/localhost/);
    expect(cameraErrorMessage(new Error('odd'))).toMatch(/odd/);
  });
});

describe('dropped files', () => {
  const file = (name: string, type = ''): File => new File(['x'], name, { type });
  const route = (files: File[]): string => {
    let got = '';
    routeFiles(files, { image: (f) => (got = `image ${f.name}`), model: (fs) => (got = `model ${fs.length}`), rejected: () => (got = 'rejected') });
    return got;
  };

  it('go to the model loader when a JSON file is among them, else to the image viewer', () => {
    expect(route([file('model.json'), file('weights.bin')])).toBe('model 2');
    expect(route([file('cat.png', 'image/png')])).toBe('image cat.png');
    expect(route([file('a.png', 'image/png'), file('b.png', 'image/png')])).toBe('rejected');
    expect(route([file('notes.txt', 'text/plain')])).toBe('rejected');
  });
});
