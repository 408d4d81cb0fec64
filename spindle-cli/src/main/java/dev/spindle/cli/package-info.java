/**
 * The {@code spindle} command: the seeds' programs on top of the library, with picocli.
 *
 * <p>Start with {@link dev.spindle.cli.Spindle}, which lists the subcommands: {@code serve}
 * (echo, upper-case and file-upload servers), {@code client}, {@code load} (the many-clients load
 * client with its report) and {@code demo} (the seeds' multiprocessing experiments).
 */
package dev.spindle.cli;
