/**
 * Spindle's internals shared by more than one package: not part of the API, and not exported by
 * the module. Nothing here is stable; use the public packages.
 *
 * <p>Start with {@link dev.spindle.internal.Deadline}, the one rule every blocking call in
 * {@code dev.spindle.net} and {@code dev.spindle.process} follows for its timeout.
 */
package dev.spindle.internal;
