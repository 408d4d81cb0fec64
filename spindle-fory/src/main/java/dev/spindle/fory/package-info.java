/**
 * An optional, faster {@link dev.spindle.process.Serializer} for processes and pipes, on
 * <a href="https://fory.apache.org">Apache Fory</a>: {@link dev.spindle.fory.ForySerializer}.
 *
 * <p>A module of its own ({@code dev.spindle:spindle-fory}) so that {@code spindle-core} keeps
 * depending on the JDK alone; it brings {@code org.apache.fory:fory-core} and, through it, Guava.
 */
package dev.spindle.fory;
