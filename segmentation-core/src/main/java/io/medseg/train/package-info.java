/**
 * <code>Trainer</code> (epochs, batches, seeded shuffling and augmentation, validation, best-epoch keeping), <code>TrainingListener</code> callbacks and ready-made listeners such as the console progress bar.
 */
package io.medseg.train;
