// libFuzzer target for parse_sink_configs and add_default_sinks. Any alerts file must give sinks
// or an error without a crash, an exception or a sanitizer report; and no error may quote a URL
// or a header value read from the environment (unless the file itself holds that text), since
// those are secrets.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "shoplake/alert/sinks.hpp"

namespace {

constexpr std::string_view kSecret = "s3cr3t-webhook-path";

// Variables named *_URL hold a URL with the secret in it, *_TOKEN a secret header value,
// *_BAD something that is not a URL but still secret; anything else is unset.
std::optional<std::string> fake_environment(std::string_view name) {
  if (name.ends_with("_URL")) return "https://hooks.example.com/services/" + std::string(kSecret);
  if (name.ends_with("_TOKEN")) return "Bearer " + std::string(kSecret);
  if (name.ends_with("_BAD")) return "hooks.example.com/" + std::string(kSecret);
  return std::nullopt;
}

void check_no_secret(const std::string& error, std::string_view input) {
  if (error.find(kSecret) == std::string::npos || input.find(kSecret) != std::string_view::npos) {
    return;
  }
  std::fprintf(stderr, "an error quotes a secret: %s\n", error.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto sinks = shoplake::alert::parse_sink_configs(text, fake_environment);
  if (!sinks) {
    check_no_secret(sinks.error(), text);
    return 0;
  }
  const auto added = shoplake::alert::add_default_sinks(sinks.value(), fake_environment);
  if (!added) check_no_secret(added.error(), text);
  for (const auto& sink : sinks.value()) {
    if (sink.name.empty()) std::abort();
    (void)shoplake::alert::sink_label(sink);
  }
  return 0;
}
