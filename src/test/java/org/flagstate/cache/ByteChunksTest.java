package org.flagstate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Large bodies are written, hashed, compressed and copied in chunks with no byte lost or moved. */
class ByteChunksTest {

  @Test
  void whatIsWrittenInAnyPiecesComesBackInOrder() {
    Random random = new Random(20261201);
    for (int round = 0; round < 50; round++) {
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      ByteChunks.Output out = new ByteChunks.Output(random.nextInt(ByteChunks.CHUNK * 2));
      int total = random.nextInt(ByteChunks.CHUNK * 5);
      while (expected.size() < total) {
        if (random.nextInt(4) == 0) {
          int b = random.nextInt(256);
          out.write(b);
          expected.write(b);
        } else {
          byte[] piece = new byte[random.nextInt(ByteChunks.CHUNK + 10)];
          random.nextBytes(piece);
          int offset = piece.length == 0 ? 0 : random.nextInt(piece.length);
          out.write(piece, offset, piece.length - offset);
          expected.write(piece, offset, piece.length - offset);
        }
      }
      ByteChunks chunks = out.toChunks();

      assertThat(chunks.length()).isEqualTo(expected.size());
      assertThat(chunks.toByteArray()).isEqualTo(expected.toByteArray());
      ByteBuffer copy = ByteBuffer.allocate(expected.size());
      chunks.copyTo(copy);
      assertThat(copy.array()).isEqualTo(expected.toByteArray());
      int[] largest = {0};
      chunks.forEach((array, length) -> largest[0] = Math.max(largest[0], array.length));
      assertThat(largest[0]).isLessThanOrEqualTo(ByteChunks.CHUNK);
    }
  }

  @Test
  void aBodyInChunksHasTheValidatorsAndGzipOfTheSameBytesInOneArray() throws IOException {
    Random random = new Random(7);
    byte[] body = new byte[ByteChunks.CHUNK * 3 + 17];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) ('a' + random.nextInt(6));
    }
    ByteChunks.Output out = new ByteChunks.Output(100);
    out.write(body, 0, body.length);

    RenderedResponse chunked = RenderedResponse.of(RenderedBody.of(out.toChunks(), 1_000), 1_000);
    RenderedResponse whole = RenderedResponse.of(body, 1_000);

    assertThat(chunked.etag()).isEqualTo(whole.etag());
    assertThat(chunked.identity().getBytes()).isEqualTo(body);
    try (GZIPInputStream in =
        new GZIPInputStream(new ByteArrayInputStream(chunked.gzip().getBytes()))) {
      assertThat(in.readAllBytes()).isEqualTo(body);
    }
  }
}
