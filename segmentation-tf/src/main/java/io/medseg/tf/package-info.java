/**
 * The TensorFlow Java backend: <code>TensorFlowBackendProvider</code> (registered through <code>ServiceLoader</code>) gives a
 * <code>TensorFlowBackend</code>, which builds graph-mode U-Nets from specs, trains them with TensorFlow's own
 * optimiser kernels and saves them as SavedModels.
 */
package io.medseg.tf;
