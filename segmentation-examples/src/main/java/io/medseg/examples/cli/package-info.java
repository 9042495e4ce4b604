/**
 * The {@code segment} command line ({@code bin/segment}), built with picocli.
 *
 * <ul>
 *   <li>{@link io.medseg.examples.cli.Main}: entry point; maps every failure to one line on standard error and an
 *       exit code ({@link io.medseg.examples.cli.Errors}: 0 success, 1 failure, 2 usage or input error, 3 a checked
 *       requirement not met).</li>
 *   <li>{@link io.medseg.examples.cli.SegmentCommand}: the top command; its subcommands are listed by
 *       {@code segment --help} and documented in {@code docs/getting-started.md}.</li>
 *   <li>{@link io.medseg.examples.cli.TrainingJob}: what {@code train}, {@code train --resume} and
 *       {@code reproduce} add to the library's {@code TrainingRuns} (console output, data reading,
 *       TensorBoard).</li>
 * </ul>
 *
 * <p>Each subcommand is a thin wrapper over library calls; the commands print (results on standard output, progress
 * on standard error), the library underneath only logs.
 */
package io.medseg.examples.cli;
