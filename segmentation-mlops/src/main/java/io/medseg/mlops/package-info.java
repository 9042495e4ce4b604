/**
 * Model operations on the user's own disk, with no service to run: training runs that record how they were made
 * ({@link io.medseg.mlops.TrainingRun}, {@link io.medseg.mlops.DataManifest}, {@link io.medseg.mlops.Provenance})
 * and keep checkpoints to resume from ({@link io.medseg.mlops.RunCheckpoints}); model packages with a model card
 * and a SHA-256 {@code MANIFEST} ({@link io.medseg.mlops.ModelPackage}, {@link io.medseg.mlops.PackageManifest});
 * provenance diffs ({@link io.medseg.mlops.JsonDiff}); and latency distributions for the validation gate
 * ({@link io.medseg.mlops.Latency}). The registry is in {@link io.medseg.mlops.registry}.
 */
package io.medseg.mlops;
