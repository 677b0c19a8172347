#include "models_directory.hpp"

#include <fmt/format.h>

#include <vector>

#include "commands.hpp"

namespace shoplake::cli {

namespace fs = std::filesystem;

fs::path find_models_directory(const std::string& setting, const fs::path& marker) {
  std::vector<fs::path> candidates;
  if (!setting.empty()) {
    candidates.emplace_back(setting);
  } else {
    // The binary lands in <checkout>/<build dir>/shoplake.
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    if (!error) candidates.push_back(self.parent_path().parent_path() / "models");
    candidates.emplace_back("models");
  }
  for (const auto& candidate : candidates) {
    if (fs::exists(candidate / marker)) return fs::absolute(candidate).lexically_normal();
  }
  throw CommandError{
      2, fmt::format("cannot find the models directory (with {}){}; pass --models DIR",
                     marker.string(), setting.empty() ? "" : fmt::format(" at {}", setting))};
}

}  // namespace shoplake::cli
