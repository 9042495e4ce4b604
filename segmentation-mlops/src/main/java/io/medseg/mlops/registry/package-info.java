/**
 * A model registry kept in a plain directory, shared safely by threads and processes, and the validation gate its
 * promotions rely on.
 *
 * <ul>
 *   <li>{@link io.medseg.mlops.registry.ModelRegistry}: registers verified copies of model packages as numbered
 *       versions, lists them, and moves them between stages; the directory layout and file formats are described
 *       there.</li>
 *   <li>{@link io.medseg.mlops.registry.Stage}: staging, production or archived.</li>
 *   <li>{@link io.medseg.mlops.registry.ModelVersion}: one registered version with its metrics and current
 *       validation verdict.</li>
 *   <li>{@link io.medseg.mlops.registry.ValidationRecord} and {@link io.medseg.mlops.registry.PackageValidations}:
 *       reading the validation-gate records in a package's {@code validations/} folder.</li>
 *   <li>{@link io.medseg.mlops.registry.HistoryEvent}: one line of a model's stage history.</li>
 *   <li>{@link io.medseg.mlops.registry.ValidationGate}: measures a package's accuracy and latency against stated
 *       requirements, refuses data the package was trained on unless allowed, and writes the record.</li>
 *   <li>{@link io.medseg.mlops.registry.RegistryException} and
 *       {@link io.medseg.mlops.registry.PromotionRefusedException}: a registry rule refused a change.</li>
 * </ul>
 */
package io.medseg.mlops.registry;
