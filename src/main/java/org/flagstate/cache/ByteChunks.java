package org.flagstate.cache;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bytes held as a run of arrays of at most {@link #CHUNK} bytes, for rendered bodies that can reach
 * megabytes. G1 places an array of half a heap region or more (512 KiB with the default heap) in
 * the old generation at once, and every such allocation may start a collection; during a flood of
 * large uncached queries those collections stopped the event loops that serve cached answers. A
 * body written through {@link Output} never needs such an array: it is hashed, compressed and
 * copied to direct memory chunk by chunk.
 */
public final class ByteChunks {

  /** Well below half of G1's smallest region (1 MiB), so no chunk is a humongous object. */
  public static final int CHUNK = 64 * 1024;

  private final List<byte[]> chunks;
  private final int lastLength;
  private final long length;

  private ByteChunks(List<byte[]> chunks, int lastLength, long length) {
    this.chunks = chunks;
    this.lastLength = lastLength;
    this.length = length;
  }

  /** The bytes of {@code bytes} as they are (not copied: the caller must not change them). */
  public static ByteChunks of(byte[] bytes) {
    return new ByteChunks(List.of(bytes), bytes.length, bytes.length);
  }

  /** How many bytes there are. */
  public long length() {
    return length;
  }

  /** Receives the bytes in order, a chunk at a time. */
  @FunctionalInterface
  public interface ChunkConsumer<E extends Exception> {
    void accept(byte[] array, int length) throws E;
  }

  /** Hands every chunk to {@code consumer}, in order. */
  public <E extends Exception> void forEach(ChunkConsumer<E> consumer) throws E {
    int last = chunks.size() - 1;
    for (int i = 0; i <= last; i++) {
      byte[] chunk = chunks.get(i);
      consumer.accept(chunk, i == last ? lastLength : chunk.length);
    }
  }

  /** Copies the bytes into {@code target} from its position on. */
  public void copyTo(ByteBuffer target) {
    forEach((array, length) -> target.put(array, 0, length));
  }

  /** All the bytes in one array (tests compare bodies this way). */
  public byte[] toByteArray() {
    byte[] all = new byte[Math.toIntExact(length)];
    int[] at = {0};
    forEach(
        (array, length) -> {
          System.arraycopy(array, 0, all, at[0], length);
          at[0] += length;
        });
    return all;
  }

  /** An output stream that collects what is written into chunks; {@link #toChunks()} ends it. */
  public static final class Output extends OutputStream {

    private final List<byte[]> full = new ArrayList<>();
    private byte[] current;
    private int used;
    private long length;

    /** Starts with a chunk sized for {@code expectedBytes}, up to {@link #CHUNK}. */
    public Output(long expectedBytes) {
      current = new byte[(int) Math.max(256, Math.min(CHUNK, expectedBytes))];
    }

    @Override
    public void write(int b) {
      if (used == current.length) {
        next();
      }
      current[used++] = (byte) b;
      length++;
    }

    @Override
    public void write(byte[] bytes, int offset, int count) {
      while (count > 0) {
        if (used == current.length) {
          next();
        }
        int n = Math.min(count, current.length - used);
        System.arraycopy(bytes, offset, current, used, n);
        used += n;
        offset += n;
        count -= n;
        length += n;
      }
    }

    private void next() {
      if (current.length < CHUNK) {
        current = Arrays.copyOf(current, Math.min(CHUNK, current.length * 4));
        return;
      }
      full.add(current);
      current = new byte[CHUNK];
      used = 0;
    }

    /** The bytes written so far; writing more afterwards is not allowed. */
    public ByteChunks toChunks() {
      List<byte[]> all = new ArrayList<>(full.size() + 1);
      all.addAll(full);
      all.add(current);
      ByteChunks chunks = new ByteChunks(List.copyOf(all), used, length);
      current = null;
      return chunks;
    }
  }
}
