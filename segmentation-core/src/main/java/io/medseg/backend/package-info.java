/**
 * The engine SPI. {@link io.medseg.backend.Backends} finds a {@link io.medseg.backend.BackendProvider} through
 * {@code ServiceLoader} (the highest rank that loads; a {@link io.medseg.backend.BackendUnavailableException} names
 * every provider tried and why it failed); a {@link io.medseg.backend.Backend} creates and loads
 * {@link io.medseg.backend.SegmentationModel}s, which train through a {@link io.medseg.backend.TrainingSession} and
 * snapshot their weights as a {@link io.medseg.backend.ModelState}. A backend reads and writes model files only;
 * checking a package's MANIFEST is the MLOps module's part.
 */
package io.medseg.backend;
