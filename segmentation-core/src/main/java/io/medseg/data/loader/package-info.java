/**
 * Training batches prepared off the training thread.
 *
 * <ul>
 *   <li>{@link io.medseg.data.loader.BatchLoader}: augments and fits samples into network-sized batches on a pool
 *       of worker threads, a bounded number of batches ahead of the consumer; deterministic whatever the number
 *       of workers.</li>
 *   <li>{@link io.medseg.data.loader.Batch}: one prepared batch (images, labels, size).</li>
 * </ul>
 */
package io.medseg.data.loader;
