/**
 * Framing: how messages are cut out of a byte stream, the answer to TCP's "sticky packet"
 * problem in the seeds. The same serializers serve blocking connections and event loops.
 *
 * <p>Start with {@link dev.spindle.codec.Framing}: immutable, sharable descriptions (lines,
 * delimiters, length prefixes that interoperate with Python's {@code struct.pack}, fixed sizes,
 * a header before a body) that make one {@link dev.spindle.codec.FrameDecoder} per connection.
 * Bad input raises a {@link dev.spindle.codec.FramingException} that says what was wrong.
 */
package dev.spindle.codec;
