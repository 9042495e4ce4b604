/**
 * Model operations on the user's own disk: training runs that record how they were made ({@link
 * io.medseg.mlops.TrainingRun}, {@link io.medseg.mlops.DataManifest}, {@link io.medseg.mlops.Provenance}),
 * checkpoints to resume from, and provenance diffs ({@link io.medseg.mlops.JsonDiff}).
 */
package io.medseg.mlops;
