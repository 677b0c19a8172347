#include "receiver.hpp"

#include <stdexcept>

namespace shoplake::alert::testing {

Receiver::Receiver() {
  server_.set_keep_alive_timeout(1);
  server_.Post(R"(.*)", [this](const httplib::Request& request, httplib::Response& response) {
    handle(request, response);
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("the test receiver cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() before the listen loop runs would leave it running forever.
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

Receiver::~Receiver() {
  release();
  server_.stop();
  thread_.join();
}

std::string Receiver::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(kSecretPath);
}

void Receiver::script(std::vector<Answer> answers) {
  std::lock_guard lock(mutex_);
  script_.assign(answers.begin(), answers.end());
}

void Receiver::release() {
  {
    std::lock_guard lock(mutex_);
    released_ = true;
  }
  changed_.notify_all();
}

std::vector<ReceivedRequest> Receiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool Receiver::wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

void Receiver::handle(const httplib::Request& request, httplib::Response& response) {
  Answer answer;
  {
    std::unique_lock lock(mutex_);
    requests_.push_back(
        {request.path, request.body, request.headers, std::chrono::steady_clock::now()});
    if (!script_.empty()) {
      answer = script_.front();
      script_.pop_front();
    }
    changed_.notify_all();
    if (answer.hang.count() > 0) {
      changed_.wait_for(lock, answer.hang, [&] { return released_; });
    }
  }
  response.status = answer.status;
  if (answer.retry_after) response.set_header("Retry-After", *answer.retry_after);
  std::string body = "ok";
  if (answer.echo_request) {
    body = "Cannot POST " + request.path;
    if (request.has_header("Authorization")) {
      body += " as " + request.get_header_value("Authorization");
    }
  }
  response.set_content(body, "text/plain");
}

}  // namespace shoplake::alert::testing
