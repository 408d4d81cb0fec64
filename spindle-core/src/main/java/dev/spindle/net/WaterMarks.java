package dev.spindle.net;

/**
 * A write buffer's high and low water marks and whether it is writable: the back-pressure rule
 * every {@link Transport} follows. Not thread-safe; each transport guards its own.
 */
final class WaterMarks {

    private int high = Transport.DEFAULT_HIGH_WATER;
    private int low = Transport.DEFAULT_LOW_WATER;
    /** Volatile: {@link Transport#isWritable()} may be asked from any thread. */
    private volatile boolean writable = true;

    /** @throws IllegalArgumentException unless {@code 0 <= low <= high} */
    static void check(int high, int low) {
        if (low < 0 || high < low) {
            throw new IllegalArgumentException("write buffer limits need 0 <= low <= high, got low " + low
                    + ", high " + high);
        }
    }

    void set(int high, int low) {
        check(high, low);
        this.high = high;
        this.low = low;
    }

    boolean writable() {
        return writable;
    }

    /** After the buffer grew: whether it just passed the high mark (tell the protocol it is unwritable). */
    boolean passedHigh(int buffered) {
        if (writable && buffered > high) {
            writable = false;
            return true;
        }
        return false;
    }

    /** After the buffer shrank: whether it just fell to the low mark (tell the protocol it is writable). */
    boolean fellToLow(int buffered) {
        if (!writable && buffered <= low) {
            writable = true;
            return true;
        }
        return false;
    }
}
