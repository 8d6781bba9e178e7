package io.vigil.storage.writer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Rows in PostgreSQL's binary COPY format ({@code COPY ... FROM STDIN (FORMAT binary)}), for the GPU sample table:
 * the writer's hottest path. Binary spares formatting every number as text in Java and parsing it again in the
 * server, which together took about 80 % of the write path's time in text CSV ({@code ./vigil bench storage}).
 *
 * <p>Each value is written in the wire form of its column's type, so the column list and the calls must agree with
 * the table ({@code real} is {@link #float4}, {@code double precision} {@link #float8}, and so on); the storage tests
 * write every column. A value that its column cannot hold (a {@code real} beyond ±3.4e38, a {@code smallint} beyond
 * ±32767) is not silently changed: the rows are marked, and {@link #checkValues} raises the error PostgreSQL would
 * (SQLSTATE 22003), so the writer isolates and dead-letters the record as it does any data error.
 */
final class BinaryCopyRows {
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0,
            0, 0, 0, 0, 0, 0, 0, 0};
    /** 2000-01-01T00:00:00Z, PostgreSQL's epoch, in Unix milliseconds. */
    private static final long PG_EPOCH_MS = 946_684_800_000L;

    private byte[] buf = new byte[1 << 16];
    private int len;
    private int rows;
    private String outOfRange;

    BinaryCopyRows() {
        put(HEADER, 0, HEADER.length);
    }

    int rows() {
        return rows;
    }

    /** Starts a row of {@code fields} values. */
    BinaryCopyRows row(int fields) {
        rows++;
        int16(fields);
        return this;
    }

    BinaryCopyRows text(String v) {
        if (v == null) return nul();
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        int32(b.length);
        put(b, 0, b.length);
        return this;
    }

    BinaryCopyRows timestamptz(long epochMs) {
        int32(8);
        int64((epochMs - PG_EPOCH_MS) * 1000);
        return this;
    }

    BinaryCopyRows int2(Number v) {
        if (v == null) return nul();
        long l = v.longValue();
        if (l < Short.MIN_VALUE || l > Short.MAX_VALUE) {
            mark("value " + l + " is out of range for type smallint");
            l = 0;
        }
        int32(2);
        int16((int) l);
        return this;
    }

    BinaryCopyRows int4(Number v) {
        if (v == null) return nul();
        int32(4);
        int32(v.intValue());
        return this;
    }

    BinaryCopyRows int8(Number v) {
        if (v == null) return nul();
        int32(8);
        int64(v.longValue());
        return this;
    }

    BinaryCopyRows float4(Number v) {
        if (v == null) return nul();
        double d = v.doubleValue();
        float f = (float) d;
        if (Float.isInfinite(f) && !Double.isInfinite(d)) {
            mark("value " + d + " is out of range for type real");
        }
        int32(4);
        int32(Float.floatToRawIntBits(f));
        return this;
    }

    BinaryCopyRows float8(Number v) {
        if (v == null) return nul();
        int32(8);
        int64(Double.doubleToRawLongBits(v.doubleValue()));
        return this;
    }

    BinaryCopyRows bool(Boolean v) {
        if (v == null) return nul();
        int32(1);
        ensure(1);
        buf[len++] = (byte) (v ? 1 : 0);
        return this;
    }

    BinaryCopyRows nul() {
        int32(-1);
        return this;
    }

    /** Throws PostgreSQL's out-of-range error if any value did not fit its column. */
    void checkValues() throws java.sql.SQLException {
        if (outOfRange != null) throw new java.sql.SQLException(outOfRange, "22003");
    }

    /** The whole COPY stream: header, rows, trailer. */
    byte[] finish() {
        byte[] out = Arrays.copyOf(buf, len + 2);
        out[len] = (byte) 0xff;
        out[len + 1] = (byte) 0xff;
        return out;
    }

    private void mark(String problem) {
        if (outOfRange == null) outOfRange = problem;
    }

    private void int16(int v) {
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int32(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int64(long v) {
        int32((int) (v >>> 32));
        int32((int) v);
    }

    private void put(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    private void ensure(int n) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
}
