// Request bodies sent with Content-Encoding gzip or zstd, inflated with a ceiling so that a small
// compressed body cannot expand into unbounded memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "shoplake/core/result.hpp"

namespace shoplake::ingest {

enum class DecompressError : unsigned char { none, unsupported, corrupt, too_large };

struct Decompressed {
  DecompressError error = DecompressError::none;
  std::string message;  // for every error: what to change
};

// Inflates `body` encoded as `content_encoding` ("gzip", "x-gzip", "zstd"; "" or "identity"
// leave it as it is) into `out`, refusing to produce more than `max_bytes`.
Decompressed decompress(std::string_view content_encoding, std::string_view body,
                        std::size_t max_bytes, std::string& out);

}  // namespace shoplake::ingest
