package io.vigil.collectors.spool;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.stream.Stream;

/**
 * A bounded, ordered queue of byte records on local disk, in segment files of length-prefixed records. The
 * consumer reads from the head, and {@link #ack} moves the head forward durably (a small position file), so after a
 * restart reading resumes after the last acknowledged record. When the queue would grow past {@code maxBytes}, the
 * oldest segment is dropped whole and counted: the newest data is the most useful after an outage.
 *
 * <p>Thread-safe: one producer thread and one consumer thread may use it at once.
 */
public final class DiskQueue implements AutoCloseable {

    private static final String SUFFIX = ".seg";

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final Deque<Long> segments = new ArrayDeque<>();
    private FileChannel tail;
    private long tailId;
    private long tailSize;
    private long headSegment;
    private long headOffset;
    private DataInputStream reader;
    private long readerSegment = -1;
    private long readerOffset;
    private long droppedRecords;
    private long droppedSegments;
    private long pending;

    public DiskQueue(Path dir, long maxBytes, long segmentBytes) throws IOException {
        if (maxBytes < 2 * segmentBytes) {
            throw new IllegalArgumentException("spool size must be at least two segments (" + 2 * segmentBytes + " bytes)");
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
                    .map(n -> Long.parseLong(n.substring(0, n.length() - SUFFIX.length()))).sorted()
                    .forEach(segments::addLast);
        }
        Path position = dir.resolve("head");
        if (Files.exists(position)) {
            String[] parts = Files.readString(position, StandardCharsets.US_ASCII).trim().split(" ");
            headSegment = Long.parseLong(parts[0]);
            headOffset = Long.parseLong(parts[1]);
        } else {
            headSegment = segments.isEmpty() ? 0 : segments.peekFirst();
        }
        while (!segments.isEmpty() && segments.peekFirst() < headSegment) {
            Files.deleteIfExists(segment(segments.pollFirst()));
        }
        tailId = segments.isEmpty() ? headSegment : segments.peekLast();
        openTail();
        pending = countPending();
    }

    private Path segment(long id) {
        return dir.resolve(String.format("%020d%s", id, SUFFIX));
    }

    private void openTail() throws IOException {
        if (segments.isEmpty() || segments.peekLast() != tailId) {
            segments.addLast(tailId);
        }
        tail = FileChannel.open(segment(tailId), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        tailSize = tail.size();
    }

    private long countPending() throws IOException {
        long n = 0;
        for (long id : segments) {
            try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(segment(id))))) {
                long pos = 0;
                if (id == headSegment) {
                    in.skipNBytes(headOffset);
                    pos = headOffset;
                }
                while (true) {
                    int len;
                    try {
                        len = in.readInt();
                    } catch (EOFException e) {
                        break;
                    }
                    in.skipNBytes(len);
                    pos += 4 + len;
                    n++;
                }
            }
        }
        return n;
    }

    /** Appends a record; drops the oldest segment first if the queue is full. */
    public synchronized void append(byte[] record) {
        try {
            if (tailSize + 4 + record.length > segmentBytes && tailSize > 0) {
                tail.close();
                tailId++;
                openTail();
            }
            while (totalBytes() + 4 + record.length > maxBytes && segments.size() > 1) {
                dropOldest();
            }
            ByteBuffer buf = ByteBuffer.allocate(4 + record.length).putInt(record.length).put(record).flip();
            while (buf.hasRemaining()) {
                tail.write(buf);
            }
            tailSize += 4 + record.length;
            pending++;
            notifyAll();
        } catch (IOException e) {
            throw new UncheckedIOException("spool write failed in " + dir, e);
        }
    }

    private long totalBytes() throws IOException {
        long total = 0;
        for (long id : segments) {
            total += id == tailId ? tailSize : Files.size(segment(id));
        }
        return total - (segments.contains(headSegment) ? headOffset : 0);
    }

    private void dropOldest() throws IOException {
        long id = segments.pollFirst();
        long records = 0;
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(segment(id))))) {
            if (id == headSegment) in.skipNBytes(headOffset);
            while (true) {
                try {
                    in.skipNBytes(in.readInt());
                    records++;
                } catch (EOFException e) {
                    break;
                }
            }
        }
        Files.deleteIfExists(segment(id));
        droppedSegments++;
        droppedRecords += records;
        pending = Math.max(0, pending - records);
        headSegment = segments.peekFirst();
        headOffset = 0;
        closeReader();
        writeHead();
    }

    /**
     * Reads the next unread record after the last one read (not the last acknowledged one), waiting up to
     * {@code timeoutMs}; null if none. {@link #rewind()} goes back to the last acknowledged record.
     */
    public synchronized byte[] next(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        try {
            while (true) {
                if (reader == null) {
                    readerSegment = headSegment;
                    readerOffset = headOffset;
                    openReader();
                }
                byte[] r = readOne();
                if (r != null) return r;
                if (readerSegment < tailId) {
                    // This segment is finished: move on to the next one.
                    closeReader();
                    long next = segments.stream().filter(s -> s > readerSegment).findFirst().orElse(tailId);
                    readerSegment = next;
                    readerOffset = 0;
                    openReader();
                    continue;
                }
                long wait = deadline - System.currentTimeMillis();
                if (wait <= 0) return null;
                wait(wait);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("spool read failed in " + dir, e);
        }
    }

    private void openReader() throws IOException {
        reader = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(segment(readerSegment))));
        reader.skipNBytes(readerOffset);
    }

    private byte[] readOne() throws IOException {
        long available = (readerSegment == tailId ? tailSize : Files.size(segment(readerSegment))) - readerOffset;
        if (available < 4) return null;
        int len = reader.readInt();
        byte[] r = reader.readNBytes(len);
        readerOffset += 4 + len;
        return r;
    }

    private void closeReader() throws IOException {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    /** Everything read so far has been delivered: make it the durable head. */
    public synchronized void ack(int records) {
        try {
            headSegment = readerSegment;
            headOffset = readerOffset;
            pending = Math.max(0, pending - records);
            writeHead();
            while (!segments.isEmpty() && segments.peekFirst() < headSegment) {
                Files.deleteIfExists(segment(segments.pollFirst()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("spool position write failed in " + dir, e);
        }
    }

    /** Forgets what was read since the last ack, to read it again. */
    public synchronized void rewind() {
        try {
            closeReader();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeHead() throws IOException {
        Path tmp = dir.resolve("head.tmp");
        Files.writeString(tmp, headSegment + " " + headOffset + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve("head"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Records appended but not yet acknowledged. */
    public synchronized long depth() {
        return pending;
    }

    public synchronized long droppedRecords() {
        return droppedRecords;
    }

    public synchronized long droppedSegments() {
        return droppedSegments;
    }

    @Override
    public synchronized void close() throws IOException {
        closeReader();
        tail.force(true);
        tail.close();
    }
}
