/**
 * Model operations on the user's own disk, with no service to run.
 *
 * <ul>
 *   <li>Training runs as library calls: {@link io.medseg.mlops.TrainingRuns} trains a
 *       {@link io.medseg.mlops.TrainingConfig} into a run directory, resumes an interrupted one and reproduces a
 *       finished one ({@link io.medseg.mlops.Reproduction}); {@link io.medseg.mlops.TrainingRun} is the directory
 *       itself (a listener and checkpointer of any {@code Trainer}), {@link io.medseg.mlops.TrainingProvenance} its
 *       {@code provenance.json}, {@link io.medseg.mlops.DataManifest} the hashes of the data it read,
 *       {@link io.medseg.mlops.Environment} and {@link io.medseg.mlops.GitInfo} where it ran,
 *       {@link io.medseg.mlops.RunCheckpoints} what it resumes from.</li>
 *   <li>Evaluation: {@link io.medseg.mlops.EvaluationReport} (Dice and the contour metrics per image, patient and
 *       overall), {@link io.medseg.mlops.ModelMetrics} (a run's {@code metrics.json}, with its split),
 *       {@link io.medseg.mlops.Latency}; {@link io.medseg.mlops.TrainingOverlap} says which scored images were
 *       the model's training data (by file content against its {@link io.medseg.mlops.TrainingData}); the HTML
 *       report is in {@link io.medseg.mlops.report}.</li>
 *   <li>Packages: {@link io.medseg.mlops.ModelPackage} (export with a model card, open and load after the
 *       {@link io.medseg.mlops.PackageManifest} verified), and {@link io.medseg.mlops.JsonDiff} to compare two.</li>
 * </ul>
 *
 * <p>The registry and the validation gate are in {@link io.medseg.mlops.registry}, drift checks in
 * {@link io.medseg.mlops.drift}.
 */
package io.medseg.mlops;
