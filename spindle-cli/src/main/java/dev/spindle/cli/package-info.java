/**
 * The {@code spindle} command: the seeds' programs on top of the library, with picocli.
 *
 * <p>Start with {@link dev.spindle.cli.Spindle}, which lists the subcommands: {@code serve}
 * (echo, upper-case and file-upload servers over TCP, UDP, Unix sockets and TLS), {@code client},
 * {@code load} (the many-clients load client with its report), {@code scan}, {@code fetch} and
 * {@code resolve} (the seeds' port scanner, crawler and DNS look-ups), {@code manager}, and two
 * sub-packages: {@link dev.spindle.cli.demo} (the seeds' experiments) and
 * {@link dev.spindle.cli.bench} (every model side by side). The option converters here are public
 * so that the sub-packages' options share them.
 */
package dev.spindle.cli;
