package dev.spindle.process;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Puts a prefix, such as a child's name, at the start of every line written through it, so that
 * the output of many children on one terminal says whose it is.
 */
final class LinePrefixingOutputStream extends FilterOutputStream {

    private final byte[] prefix;
    private boolean atLineStart = true;

    LinePrefixingOutputStream(OutputStream out, byte[] prefix) {
        super(out);
        this.prefix = prefix.clone();
    }

    @Override
    public void write(int b) throws IOException {
        if (atLineStart) {
            out.write(prefix);
        }
        out.write(b);
        atLineStart = b == '\n';
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (atLineStart) {
                out.write(prefix);
                atLineStart = false;
            }
            if (b[i] == '\n') {
                out.write(b, start, i + 1 - start);
                start = i + 1;
                atLineStart = true;
            }
        }
        if (start < end) {
            out.write(b, start, end - start);
        }
    }
}
