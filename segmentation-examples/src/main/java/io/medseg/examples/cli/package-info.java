/**
 * The {@code segment} command line ({@code bin/segment}), built with picocli.
 *
 * <ul>
 *   <li>{@link io.medseg.examples.cli.Main}: entry point; maps every failure to one line on standard error and an
 *       exit code (0 success, 1 failure, 2 usage or input error).</li>
 *   <li>{@link io.medseg.examples.cli.SegmentCommand}: the top command and its subcommands {@code demo},
 *       {@code train}, {@code predict} and {@code evaluate}.</li>
 *   <li>{@link io.medseg.examples.cli.EvaluationReport}: per-image, per-patient and global Dice, as a table or as
 *       the JSON object other tools read.</li>
 * </ul>
 *
 * <p>The commands print: results on standard output, progress on standard error. The library underneath only
 * logs.
 */
package io.medseg.examples.cli;
