/**
 * Portability: {@link io.medseg.onnx.OnnxExport} writes a trained U-Net as {@code model.onnx} (the folded inference
 * network, the serving signature's names and layout, a free batch dimension, the normalisation and class names in the
 * metadata), and {@link io.medseg.onnx.OnnxRuntimeBackend} runs such a file through ONNX Runtime behind the same
 * backend SPI as TensorFlow, found through {@code ServiceLoader} by {@link io.medseg.onnx.OnnxRuntimeBackendProvider}
 * (name {@code onnx}, ranked below TensorFlow). {@link io.medseg.onnx.OnnxOptimization} names ONNX Runtime's graph
 * optimisation levels.
 *
 * <p>The ONNX protobuf is written by hand from the ONNX IR specification, through our own {@code onnx.proto} with
 * ONNX's field numbers: no ONNX library for Java writes models, and ONNX Runtime's Java API only reads them.
 */
package io.medseg.onnx;
