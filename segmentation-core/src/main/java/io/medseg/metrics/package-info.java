/**
 * Dice per image, per class, mean and global (pooled), with the empty-mask rule stated in <code>Dice</code>.
 */
package io.medseg.metrics;
