// How long DuckDB's allocator keeps freed memory before giving it back to the operating system.
// The official libduckdb bundles jemalloc with a decay of one second: a dashboard query's hash
// tables then land on pages the kernel has just taken back, and the page faults (slow in a VM)
// made one query in forty take 6-10 ms instead of 1-2 ms.
#pragma once

#include <chrono>
#include <string>

namespace shoplake::sql {

// Sets jemalloc's dirty and muzzy decay for every arena, present and future, through the
// library's exported duckdb_je_mallctl. A libduckdb without jemalloc is left alone; the answer
// says what was done, for the debug log.
std::string set_allocator_decay(std::chrono::milliseconds decay);

}  // namespace shoplake::sql
