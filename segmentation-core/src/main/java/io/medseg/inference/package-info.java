/**
 * <code>Segmenter</code>: thread-safe inference on whole images, and <code>Prediction</code>, a mask with its class probabilities.
 */
package io.medseg.inference;
