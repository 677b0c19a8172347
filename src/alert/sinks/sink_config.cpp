// The [[sinks]] entries of the alerts file and the SHOPLAKE_* variables that stand in for one.
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <string>

#include "shoplake/alert/sinks.hpp"
#include "webhook_url.hpp"

namespace shoplake::alert {

namespace {

constexpr std::string_view kSlackUrlEnv = "SHOPLAKE_SLACK_WEBHOOK_URL";
constexpr std::string_view kWebhookUrlEnv = "SHOPLAKE_ALERT_WEBHOOK_URL";
constexpr std::string_view kWebhookAuthorizationEnv = "SHOPLAKE_ALERT_WEBHOOK_AUTHORIZATION";
constexpr std::string_view kEnvPrefix = "env:";
constexpr std::size_t kLongestName = 64;
constexpr std::string_view kKnownKeys =
    "name, type, url_env, min_interval_ms, max_attempts, backoff_ms, max_backoff_ms, timeout_ms, "
    "queue_capacity, headers";

std::optional<SinkType> sink_type_from_name(std::string_view name) {
  if (name == "slack") return SinkType::slack;
  if (name == "webhook") return SinkType::webhook;
  if (name == "log") return SinkType::log;
  return std::nullopt;
}

bool is_valid_name(std::string_view name) {
  return !name.empty() && name.size() <= kLongestName &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ||
                  c == '.';
         });
}

bool is_valid_env_name(std::string_view name) {
  return !name.empty() && name.size() <= 256 &&
         std::isdigit(static_cast<unsigned char>(name.front())) == 0 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
         });
}

// RFC 9110 token characters.
bool is_valid_header_name(std::string_view name) {
  constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
  return !name.empty() && name.size() <= 256 && std::all_of(name.begin(), name.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kTokenPunctuation.find(c) != std::string_view::npos;
  });
}

bool is_valid_header_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// cpp-httplib writes these itself; a second copy would make the request malformed.
bool is_managed_header(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "content-length" || lower == "transfer-encoding" || lower == "host" ||
         lower == "connection" || lower == "content-type";
}

std::string_view kind_of(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a fractional number";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

// Reads one [[sinks]] table; errors say which entry, line and key.
class EntryReader {
 public:
  EntryReader(const toml::table& table, std::size_t number, const EnvLookup& getenv)
      : table_(table), number_(number), getenv_(getenv) {}

  core::Result<SinkConfig> read() {
    SinkConfig config;
    if (auto status = read_type(config); !status) return core::Error{status.error()};
    if (auto status = read_name(config); !status) return core::Error{status.error()};
    for (const auto& [key, node] : table_) {
      if (auto status = read_key(key.str(), node, config); !status) {
        return core::Error{status.error()};
      }
    }
    if (config.max_backoff < config.first_backoff) {
      return error("max_backoff_ms", "is less than backoff_ms");
    }
    if (config.type == SinkType::log) {
      if (table_.contains("url_env") || table_.contains("headers")) {
        return error(table_.contains("url_env") ? "url_env" : "headers",
                     "a log sink sends nothing over HTTP; remove the key or change the type");
      }
      return config;
    }
    if (config.url_env.empty()) {
      return error("url_env", "missing: name the environment variable that holds the webhook URL");
    }
    if (config.type != SinkType::webhook && table_.contains("headers")) {
      return error("headers", "only webhook sinks send extra headers");
    }
    return config;
  }

 private:
  core::Error error(std::string_view key, std::string_view why) const {
    std::string message = "[[sinks]] entry " + std::to_string(number_);
    if (const auto line = table_.source().begin.line; line > 0) {
      message += " (line " + std::to_string(line) + ")";
    }
    if (!name_.empty()) message += " '" + name_ + "'";
    message += ", key '" + std::string(key) + "': " + std::string(why);
    return core::Error{std::move(message)};
  }

  core::Status read_type(SinkConfig& config) {
    const toml::node* node = table_.get("type");
    if (node == nullptr) return error("type", "missing: say slack, webhook or log");
    const auto* text = node->as_string();
    if (text == nullptr) {
      return error("type",
                   "expected a string (slack, webhook or log), got " + std::string(kind_of(*node)));
    }
    const auto type = sink_type_from_name(text->get());
    if (!type) {
      return error("type", "unknown sink type '" + text->get().substr(0, 40) +
                               "': use slack, webhook or log");
    }
    config.type = *type;
    if (config.type == SinkType::log) config.min_interval = std::chrono::milliseconds(0);
    return core::ok_status();
  }

  core::Status read_name(SinkConfig& config) {
    const toml::node* node = table_.get("name");
    if (node == nullptr) {
      config.name = std::string(to_string(config.type));
    } else if (const auto* text = node->as_string(); text != nullptr) {
      if (!is_valid_name(text->get())) {
        return error("name", "use 1 to 64 letters, digits, '-', '_' or '.'");
      }
      config.name = text->get();
    } else {
      return error("name", "expected a string, got " + std::string(kind_of(*node)));
    }
    name_ = config.name;
    return core::ok_status();
  }

  core::Result<std::int64_t> whole_number(std::string_view key, const toml::node& node,
                                          std::int64_t low, std::int64_t high) const {
    const auto* number = node.as_integer();
    const std::string range =
        "expected a whole number from " + std::to_string(low) + " to " + std::to_string(high);
    if (number == nullptr) {
      return error(key, range + ", got " + std::string(kind_of(node)));
    }
    if (number->get() < low || number->get() > high) {
      return error(key, range + ", got " + std::to_string(number->get()));
    }
    return number->get();
  }

  core::Result<std::string> string_value(std::string_view key, const toml::node& node) const {
    const auto* text = node.as_string();
    if (text == nullptr) {
      return error(key, "expected a string, got " + std::string(kind_of(node)));
    }
    return text->get();
  }

  core::Status read_url(const toml::node& node, SinkConfig& config) {
    auto env_name = string_value("url_env", node);
    if (!env_name) return core::Error{env_name.error()};
    if (!is_valid_env_name(env_name.value())) {
      return error("url_env", "expected the name of an environment variable (letters, digits, _)");
    }
    config.url_env = env_name.value();
    auto url = getenv_(config.url_env);
    if (!url || url->empty()) {
      return error("url_env", "environment variable " + config.url_env +
                                  " is not set: export it with the webhook URL");
    }
    if (auto valid = split_webhook_url(*url); !valid) {
      return error("url_env", "the value of " + config.url_env + " " + valid.error());
    }
    config.url = std::move(*url);
    return core::ok_status();
  }

  core::Status read_headers(const toml::node& node, SinkConfig& config) {
    const auto* headers = node.as_table();
    if (headers == nullptr) {
      return error("headers",
                   "expected a table ([sinks.headers]), got " + std::string(kind_of(node)));
    }
    for (const auto& [name_key, value_node] : *headers) {
      const std::string name(name_key.str());
      const std::string key = "headers." + name;
      if (!is_valid_header_name(name)) return error(key, "is not a valid HTTP header name");
      if (is_managed_header(name)) return error(key, "is set by shoplake itself");
      auto value = string_value(key, value_node);
      if (!value) return core::Error{value.error()};
      std::string text = std::move(value.value());
      if (std::string_view(text).starts_with(kEnvPrefix)) {
        const std::string env_name = text.substr(kEnvPrefix.size());
        if (!is_valid_env_name(env_name)) {
          return error(key, "expected \"env:NAME\" with NAME an environment variable");
        }
        auto from_env = getenv_(env_name);
        if (!from_env || from_env->empty()) {
          return error(key, "environment variable " + env_name + " is not set");
        }
        text = std::move(*from_env);
      }
      if (!is_valid_header_value(text)) {
        return error(key, "the value has a line break or NUL in it");
      }
      config.headers.emplace_back(name, std::move(text));
    }
    return core::ok_status();
  }

  core::Status read_key(std::string_view key, const toml::node& node, SinkConfig& config) {
    using std::chrono::milliseconds;
    if (key == "type" || key == "name") return core::ok_status();
    if (key == "url_env") return read_url(node, config);
    if (key == "headers") return read_headers(node, config);
    if (key == "url") {
      return error("url",
                   "webhook URLs are secrets and do not belong in a file: put the URL in an "
                   "environment variable and name that variable with url_env");
    }
    struct NumberKey {
      std::string_view key;
      std::int64_t low;
      std::int64_t high;
    };
    static constexpr NumberKey kNumbers[] = {
        {"min_interval_ms", 0, 3'600'000}, {"max_attempts", 1, 100},
        {"backoff_ms", 1, 600'000},        {"max_backoff_ms", 1, 3'600'000},
        {"timeout_ms", 100, 600'000},      {"queue_capacity", 1, 1'000'000},
    };
    const auto* known = std::find_if(std::begin(kNumbers), std::end(kNumbers),
                                     [&](const NumberKey& number) { return number.key == key; });
    if (known == std::end(kNumbers)) {
      return error(key, "unknown key; a sink has " + std::string(kKnownKeys));
    }
    auto number = whole_number(key, node, known->low, known->high);
    if (!number) return core::Error{number.error()};
    const std::int64_t value = number.value();
    if (key == "min_interval_ms") config.min_interval = milliseconds(value);
    if (key == "max_attempts") config.max_attempts = static_cast<int>(value);
    if (key == "backoff_ms") config.first_backoff = milliseconds(value);
    if (key == "max_backoff_ms") config.max_backoff = milliseconds(value);
    if (key == "timeout_ms") config.timeout = milliseconds(value);
    if (key == "queue_capacity") config.queue_capacity = static_cast<std::size_t>(value);
    return core::ok_status();
  }

  const toml::table& table_;
  std::size_t number_;
  const EnvLookup& getenv_;
  std::string name_;
};

core::Result<std::vector<SinkConfig>> read_sinks(const toml::table& root, const EnvLookup& getenv) {
  std::vector<SinkConfig> sinks;
  const toml::node* node = root.get("sinks");
  if (node == nullptr) return sinks;
  const auto* entries = node->as_array();
  if (entries == nullptr) {
    return core::Error{"'sinks' must be [[sinks]] entries (an array of tables), not " +
                       std::string(kind_of(*node))};
  }
  for (std::size_t index = 0; index < entries->size(); ++index) {
    const auto* table = (*entries)[index].as_table();
    if (table == nullptr) {
      return core::Error{"[[sinks]] entry " + std::to_string(index + 1) + " must be a table, not " +
                         std::string(kind_of((*entries)[index]))};
    }
    auto config = EntryReader(*table, index + 1, getenv).read();
    if (!config) return core::Error{config.error()};
    const auto same_name = std::find_if(sinks.begin(), sinks.end(), [&](const SinkConfig& other) {
      return other.name == config.value().name;
    });
    if (same_name != sinks.end()) {
      return core::Error{"[[sinks]] entry " + std::to_string(index + 1) + ", key 'name': '" +
                         config.value().name + "' is already the name of entry " +
                         std::to_string(same_name - sinks.begin() + 1) +
                         "; give each sink its own name"};
    }
    sinks.push_back(std::move(config.value()));
  }
  return sinks;
}

bool has_name(const std::vector<SinkConfig>& sinks, std::string_view name) {
  return std::any_of(sinks.begin(), sinks.end(),
                     [&](const SinkConfig& sink) { return sink.name == name; });
}

std::string unused_name(const std::vector<SinkConfig>& sinks, std::string_view wanted) {
  std::string name(wanted);
  for (int suffix = 2; has_name(sinks, name); ++suffix) {
    name = std::string(wanted) + "-" + std::to_string(suffix);
  }
  return name;
}

// The sink a bare environment variable asks for, unless a [[sinks]] entry already reads it.
core::Status add_environment_sink(std::vector<SinkConfig>& sinks, SinkType type,
                                  std::string_view url_env, const EnvLookup& getenv) {
  const bool already_read = std::any_of(
      sinks.begin(), sinks.end(), [&](const SinkConfig& sink) { return sink.url_env == url_env; });
  if (already_read) return core::ok_status();
  auto url = getenv(url_env);
  if (!url || url->empty()) return core::ok_status();
  if (auto valid = split_webhook_url(*url); !valid) {
    return core::Error{"the value of " + std::string(url_env) + " " + valid.error()};
  }
  SinkConfig sink;
  sink.name = unused_name(sinks, to_string(type));
  sink.type = type;
  sink.url_env = std::string(url_env);
  sink.url = std::move(*url);
  if (type == SinkType::webhook) {
    if (auto authorization = getenv(kWebhookAuthorizationEnv);
        authorization && !authorization->empty()) {
      if (!is_valid_header_value(*authorization)) {
        return core::Error{"the value of " + std::string(kWebhookAuthorizationEnv) +
                           " has a line break or NUL in it"};
      }
      sink.headers.emplace_back("Authorization", std::move(*authorization));
    }
  }
  sinks.push_back(std::move(sink));
  return core::ok_status();
}

}  // namespace

std::string_view to_string(SinkType type) {
  switch (type) {
    case SinkType::slack:
      return "slack";
    case SinkType::webhook:
      return "webhook";
    default:
      return "log";
  }
}

std::string sink_label(const SinkConfig& sink) {
  return std::string(to_string(sink.type)) + " sink '" + sink.name + "'";
}

std::optional<std::string> process_environment(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

core::Result<std::vector<SinkConfig>> parse_sink_configs(std::string_view toml_text,
                                                         const EnvLookup& getenv) {
  try {
    toml::table root;
    try {
      root = toml::parse(toml_text);
    } catch (const toml::parse_error& error) {
      const auto& where = error.source().begin;
      return core::Error{"alerts file, line " + std::to_string(where.line) + ", column " +
                         std::to_string(where.column) + ": " + std::string(error.description())};
    }
    return read_sinks(root, getenv);
  } catch (const std::exception& error) {
    return core::Error{std::string("alerts file: cannot read the [[sinks]] entries: ") +
                       error.what()};
  }
}

core::Status add_default_sinks(std::vector<SinkConfig>& sinks, const EnvLookup& getenv) {
  try {
    if (auto added = add_environment_sink(sinks, SinkType::slack, kSlackUrlEnv, getenv); !added) {
      return added;
    }
    if (auto added = add_environment_sink(sinks, SinkType::webhook, kWebhookUrlEnv, getenv);
        !added) {
      return added;
    }
  } catch (const std::exception& error) {
    return core::Error{std::string("cannot read the alert sink environment variables: ") +
                       error.what()};
  }
  const bool has_log_sink = std::any_of(sinks.begin(), sinks.end(), [](const SinkConfig& sink) {
    return sink.type == SinkType::log;
  });
  if (!has_log_sink) {
    SinkConfig log;
    log.name = unused_name(sinks, "log");
    log.type = SinkType::log;
    log.min_interval = std::chrono::milliseconds(0);
    sinks.push_back(std::move(log));
  }
  return core::ok_status();
}

}  // namespace shoplake::alert
