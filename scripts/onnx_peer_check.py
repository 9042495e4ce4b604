#!/usr/bin/env python3
"""Checks a medseg model.onnx with the ONNX project's own tools, independently of the Java library.

1. onnx.checker (full check, with shape inference) accepts the file.
2. The metadata describes the interface: input "image" [N,H,W,C], output "probabilities" [N,H,W,K], the
   normalisation and the class names.
3. The normalisation the metadata describes, applied here in NumPy to the fitted pixels the Java side wrote
   (raw.npy), gives the network input the Java side used (input.npy).
4. Python's onnxruntime runs the model on that input (batches of 8 and one batch of everything: the batch
   dimension is free) and its probabilities agree with TensorFlow Java's (tensorflow.npy) to the tolerance, with
   identical arg-max masks.

The tensors come from `segment agreement --tensors DIR`; scripts/onnx-peer-check.sh runs both sides.
Needs: onnx, onnxruntime, numpy (pip install onnx onnxruntime numpy, in a virtual environment).
"""
import argparse
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort


def normalise(pixels, spec):
    """One image's pixels (any shape, float32), normalised as the metadata says."""
    kind = spec["type"]
    x = pixels.astype(np.float32)
    if kind == "percentile":
        lo, hi = np.percentile(x, [spec["low"], spec["high"]]).astype(np.float32)
        rng = np.float32(hi - lo)
        if not rng > 1e-12:
            return np.zeros_like(x)
        return np.clip((x - lo) / rng, 0.0, 1.0).astype(np.float32)
    if kind == "zscore":
        mean = x.astype(np.float64).mean()
        sd = np.sqrt(((x.astype(np.float64) - mean) ** 2).mean())
        scale = np.float32(1.0 / sd) if sd > 1e-12 else np.float32(0.0)
        return ((x.astype(np.float64) - mean) * scale).astype(np.float32)
    if kind == "none":
        return x
    raise ValueError("unknown normalisation type: %r" % kind)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="the model.onnx file")
    p.add_argument("--tensors", required=True, help="the folder segment agreement --tensors wrote")
    p.add_argument("--tolerance", type=float, default=1e-4, help="largest |dp| allowed (default 1e-4)")
    p.add_argument("--reference", default="tensorflow", help="the backend whose probabilities to match")
    a = p.parse_args()

    model = onnx.load(a.model)
    onnx.checker.check_model(model, full_check=True)
    print("onnx.checker: ok (onnx %s, IR version %d, opset %s)" % (
        onnx.__version__, model.ir_version, ",".join(str(o.version) for o in model.opset_import)))

    props = {m.key: m.value for m in model.metadata_props}
    graph = model.graph
    failures = []
    if [i.name for i in graph.input] != ["image"] or [o.name for o in graph.output] != ["probabilities"]:
        failures.append("interface: inputs %s, outputs %s" % ([i.name for i in graph.input],
                                                              [o.name for o in graph.output]))
    dims = [d.dim_param or d.dim_value for d in graph.input[0].type.tensor_type.shape.dim]
    classes = json.loads(props["class_names"])
    norm = json.loads(props["normalization"])
    print("interface: image %s %s -> probabilities %s, classes %s, normalisation %s, fit %s" % (
        dims, props.get("input_layout"), props.get("output_shape"), classes, props["normalization"],
        props.get("input_fit")))

    raw = np.load(a.tensors + "/raw.npy")
    java_input = np.load(a.tensors + "/input.npy")
    ours = np.stack([normalise(img, norm) for img in raw])
    d_in = float(np.abs(ours - java_input).max()) if len(raw) else 0.0
    print("normalisation from the metadata, in NumPy: max |dx| %.3g against the Java input over %d frames"
          % (d_in, len(raw)))
    if d_in > 1e-5:
        failures.append("normalisation: max |dx| %.3g > 1e-5" % d_in)

    sess = ort.InferenceSession(a.model, providers=["CPUExecutionProvider"])
    batched = np.concatenate([sess.run(["probabilities"], {"image": ours[i:i + 8]})[0]
                              for i in range(0, len(ours), 8)])
    whole = sess.run(["probabilities"], {"image": ours})[0]
    d_batch = float(np.abs(batched - whole).max())
    reference = np.load(a.tensors + "/" + a.reference + ".npy")
    dp = float(np.abs(batched - reference).max())
    mask_diff = int((batched.argmax(-1) != reference.argmax(-1)).sum())
    print("onnxruntime %s (Python) vs %s (Java): max |dp| %.3g, mean |dp| %.3g, arg-max masks: %s; "
          "batches of 8 vs one batch of %d: max |dp| %.3g"
          % (ort.__version__, a.reference, dp, float(np.abs(batched - reference).mean()),
             "identical" if mask_diff == 0 else "%d pixels differ" % mask_diff, len(ours), d_batch))
    if dp > a.tolerance:
        failures.append("probabilities: max |dp| %.3g > %.3g" % (dp, a.tolerance))
    if mask_diff:
        failures.append("masks: %d pixels differ" % mask_diff)
    if len(classes) != batched.shape[-1]:
        failures.append("class_names lists %d classes, the output has %d" % (len(classes), batched.shape[-1]))

    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
