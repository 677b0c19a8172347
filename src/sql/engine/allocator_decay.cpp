#include "allocator_decay.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <sys/types.h>

#include <cstddef>

namespace shoplake::sql {
namespace {

using Mallctl = int (*)(const char* name, void* old_value, std::size_t* old_size, void* new_value,
                        std::size_t new_size);

int write_decay(Mallctl mallctl, const std::string& name, ssize_t milliseconds) {
  return mallctl(name.c_str(), nullptr, nullptr, &milliseconds, sizeof(milliseconds));
}

}  // namespace

std::string set_allocator_decay(std::chrono::milliseconds decay) {
  // Looked up at run time: the symbol belongs to the prebuilt library, not to DuckDB's C API.
  auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "duckdb_je_mallctl"));
  if (mallctl == nullptr) return "libduckdb has no jemalloc: its allocator's decay is left as is";
  const auto milliseconds = static_cast<ssize_t>(decay.count());
  // Arenas created from now on take the defaults.
  for (const char* kind : {"dirty", "muzzy"}) {
    if (int error = write_decay(mallctl, fmt::format("arenas.{}_decay_ms", kind), milliseconds)) {
      return fmt::format("jemalloc refused arenas.{}_decay_ms (error {})", kind, error);
    }
  }
  unsigned arenas = 0;
  std::size_t size = sizeof(arenas);
  if (mallctl("arenas.narenas", &arenas, &size, nullptr, 0) != 0) arenas = 0;
  unsigned changed = 0;
  for (unsigned arena = 0; arena < arenas; ++arena) {
    // An arena not created yet refuses (EFAULT); it will start with the defaults set above.
    const bool dirty =
        write_decay(mallctl, fmt::format("arena.{}.dirty_decay_ms", arena), milliseconds) == 0;
    const bool muzzy =
        write_decay(mallctl, fmt::format("arena.{}.muzzy_decay_ms", arena), milliseconds) == 0;
    if (dirty && muzzy) ++changed;
  }
  return fmt::format("jemalloc decay set to {} ms ({} of {} arenas in use, the rest when created)",
                     decay.count(), changed, arenas);
}

}  // namespace shoplake::sql
