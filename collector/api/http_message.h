// The HTTP API's request and response as plain values: what the Beast listener (http_server.cpp)
// hands the router and writes back. No Asio, no Beast: the router and every handler are pure functions
// of these, tested and fuzzed without sockets.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slamon::collector::api {

struct Request {
  std::string method;         // "GET", "HEAD", ... as sent
  std::string target;         // origin-form, undecoded ("/api/v1/cis?limit=10")
  std::string authorization;  // the Authorization header ("" when absent)
  std::string accept_encoding;
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, WWW-Authenticate...)
};

// {"error": {"status": N, "message": "..."}} with that status.
Response json_error(int status, std::string_view message);
// A JSON body with status 200.
Response json_ok(std::string body);

}  // namespace slamon::collector::api
