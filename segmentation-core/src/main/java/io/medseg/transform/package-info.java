/**
 * Training-time augmentation of samples; image and mask always change together.
 *
 * <ul>
 *   <li>{@link io.medseg.transform.Augmentation}: the contract, a seeded random transformation of a sample.</li>
 *   <li>{@link io.medseg.transform.Augmentations}: flips, quarter turns, affine resampling (and its
 *       rotate / scale / translate shorthands), elastic deformation, random and centre crops, gamma, intensity
 *       scale, brightness, contrast, bias field, noise, their composition and the {@code cardiac()} default
 *       recipe; also the deterministic transforms they are built from.</li>
 * </ul>
 */
package io.medseg.transform;
