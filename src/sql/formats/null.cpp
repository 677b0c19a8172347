// Null: the query runs, nothing is sent.
#include "format_factories.hpp"

namespace shoplake::sql::formats {
namespace {

class Null final : public OutputFormat {
 public:
  std::string_view content_type() const override { return "text/plain; charset=UTF-8"; }
  void begin(const std::vector<ColumnInfo>&, std::string&) override {}
  void write(const ResultChunk&, std::string&) override {}
  void finish(const QueryStatistics&, std::string&) override {}
};

}  // namespace

std::unique_ptr<OutputFormat> make_null() {
  return std::make_unique<Null>();
}

}  // namespace shoplake::sql::formats
