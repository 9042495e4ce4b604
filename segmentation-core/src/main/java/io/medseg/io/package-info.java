/**
 * Reading and writing the library's files without extra dependencies.
 *
 * <ul>
 *   <li>{@link io.medseg.io.Json}: a small, strict JSON writer (pretty or compact) and parser, with typed getters
 *       that name the missing or mistyped key.</li>
 *   <li>{@link io.medseg.io.SpecJson}: {@link io.medseg.model.UNetSpec} to and from JSON, every field included.</li>
 * </ul>
 */
package io.medseg.io;
