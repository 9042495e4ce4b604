/**
 * Loss specs (cross-entropy, soft Dice, weighted sums) as a sealed family, and the <code>Losses</code> factory. Backends implement each kind.
 */
package io.medseg.loss;
