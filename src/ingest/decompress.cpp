#include "shoplake/ingest/decompress.hpp"

#include <zlib.h>
#include <zstd.h>

#include <memory>

namespace shoplake::ingest {

namespace {

constexpr std::size_t kChunk = 256 * 1024;

Decompressed too_large(std::size_t max_bytes) {
  return {DecompressError::too_large, "the body inflates to more than " +
                                          std::to_string(max_bytes) +
                                          " bytes, the collector's limit: send smaller batches"};
}

Decompressed inflate_gzip(std::string_view body, std::size_t max_bytes, std::string& out) {
  z_stream stream{};
  // 15 + 32: a zlib or gzip header, detected automatically.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) {
    return {DecompressError::corrupt, "cannot start gzip decoding"};
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&stream, inflateEnd);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    const std::size_t used = out.size();
    if (used >= max_bytes) return too_large(max_bytes);
    out.resize(std::min(used + kChunk, max_bytes));
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    stream.avail_out = static_cast<uInt>(out.size() - used);
    status = inflate(&stream, Z_NO_FLUSH);
    out.resize(out.size() - stream.avail_out);
    if (status == Z_STREAM_END) break;
    if (status != Z_OK && !(status == Z_BUF_ERROR && stream.avail_out == 0)) {
      return {DecompressError::corrupt,
              std::string("the gzip body is corrupt or truncated: ") +
                  (stream.msg != nullptr ? stream.msg : "unexpected end of data")};
    }
    if (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      return {DecompressError::corrupt, "the gzip body is truncated"};
    }
  }
  return {};
}

Decompressed inflate_zstd(std::string_view body, std::size_t max_bytes, std::string& out) {
  std::unique_ptr<ZSTD_DCtx, std::size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  ZSTD_inBuffer input{body.data(), body.size(), 0};
  std::size_t remaining_hint = 1;
  while (input.pos < input.size || remaining_hint != 0) {
    const std::size_t used = out.size();
    if (used >= max_bytes) return too_large(max_bytes);
    out.resize(std::min(used + kChunk, max_bytes));
    ZSTD_outBuffer output{out.data() + used, out.size() - used, 0};
    const std::size_t before = input.pos;
    remaining_hint = ZSTD_decompressStream(context.get(), &output, &input);
    out.resize(used + output.pos);
    if (ZSTD_isError(remaining_hint)) {
      return {DecompressError::corrupt,
              std::string("the zstd body is corrupt: ") + ZSTD_getErrorName(remaining_hint)};
    }
    if (remaining_hint != 0 && input.pos == input.size && input.pos == before && output.pos == 0) {
      return {DecompressError::corrupt, "the zstd body is truncated"};
    }
  }
  return {};
}

}  // namespace

Decompressed decompress(std::string_view content_encoding, std::string_view body,
                        std::size_t max_bytes, std::string& out) {
  out.clear();
  if (content_encoding.empty() || content_encoding == "identity") {
    if (body.size() > max_bytes) return too_large(max_bytes);
    out.assign(body);
    return {};
  }
  if (content_encoding == "gzip" || content_encoding == "x-gzip") {
    return inflate_gzip(body, max_bytes, out);
  }
  if (content_encoding == "zstd") return inflate_zstd(body, max_bytes, out);
  return {DecompressError::unsupported,
          "Content-Encoding '" + std::string(content_encoding) +
              "' is not supported: send gzip, deflate, br, zstd or an uncompressed body"};
}

}  // namespace shoplake::ingest
