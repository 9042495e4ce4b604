/**
 * Files, written so that a crash never leaves a half-written one under its final name, and JSON.
 *
 * <ul>
 *   <li>{@link io.medseg.io.Json}: the one Jackson mapper every JSON file of the library goes through, set up so
 *       that records bind directly and files keep one exact form; reading a file names the file and the key at
 *       fault.</li>
 *   <li>{@link io.medseg.io.AtomicFile}: writes that complete or leave nothing, by a temporary file and a rename.</li>
 *   <li>{@link io.medseg.io.FileTrees}: deleting and copying folder trees without following links.</li>
 *   <li>{@link io.medseg.io.WriteFailures}: a failed write (a full disk above all) reported under the name of the
 *       file or folder being written, not a temporary one.</li>
 * </ul>
 */
package io.medseg.io;
