/**
 * Handling exported model packages.
 *
 * <p>A model package is a directory: {@code saved_model/}, {@code model.json} (with the model {@code "name"}),
 * {@code provenance.json}, {@code metrics.json}, {@code data-profile.json}, {@code MODEL_CARD.md}, a
 * {@code MANIFEST} with the SHA-256 of every one of those files, and {@code validations/*.json}, validation-gate
 * records added after export and not covered by the MANIFEST.
 *
 * <ul>
 *   <li>{@link io.medseg.mlops.PackageManifest}: writes the {@code MANIFEST} ({@code sha256sum} format) and
 *       verifies a package against it.</li>
 *   <li>{@link io.medseg.mlops.PackageIntegrityException}: a package that does not match its MANIFEST, naming the
 *       file.</li>
 *   <li>{@link io.medseg.mlops.Hashing}: SHA-256 of files (streamed) and bytes as lower-case hex.</li>
 *   <li>{@link io.medseg.mlops.registry}: a model registry in a directory, with versions, stages and promotion
 *       gated on validation records.</li>
 * </ul>
 */
package io.medseg.mlops;
