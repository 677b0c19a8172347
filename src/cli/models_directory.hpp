// Where the models (batch SQL, dashboards) are: --models, else <checkout>/models next to the build
// directory the binary is in, else ./models.
#pragma once

#include <filesystem>
#include <string>

namespace shoplake::cli {

// The first candidate holding `marker` (a path inside the directory, e.g. "silver/events.sql");
// throws CommandError saying to pass --models when none does.
std::filesystem::path find_models_directory(const std::string& setting,
                                            const std::filesystem::path& marker);

}  // namespace shoplake::cli
