// Tests for common/json_writer.h and common/results_jsonl.h.
#include "common/json_writer.h"

#include <doctest/doctest.h>

#include <limits>

#include "common/results_jsonl.h"

using namespace slamon;

TEST_CASE("json writer nests, separates and escapes") {
  JsonWriter w;
  w.begin_object().key("a").value(1).key("b").begin_array().value("x\"y\n").value(true).null().end_array();
  w.key("c").value(99.83333333333333).key("d").value(720000.0).key("e").value(std::numeric_limits<double>::infinity());
  w.key("f").begin_object().end_object().end_object();
  CHECK(w.str() == R"({"a":1,"b":["x\"y\n",true,null],"c":99.83333333333333,"d":720000.0,"e":null,"f":{}})");
}

TEST_CASE("json strings escape control characters") {
  std::string out;
  append_json_string(out, std::string_view("\x01\t\\", 3));
  CHECK(out == R"("\u0001\t\\")");
}

TEST_CASE("result lines follow the interchange format") {
  ProbeResult r{"web-01.http", 1790841600125, Status::up, 12.5, "", "", {}};
  CHECK(format_result_line(r) == R"({"probe":"web-01.http","ts":"2026-10-01T08:00:00.125Z","status":"up","latency_ms":12.5})" "\n");
  r.status = Status::down;
  r.latency_ms.reset();
  r.message = "timeout after 5000 ms";
  r.agent = "dc1-agent-01";
  r.metrics = {{"loss_percent", 33.3}, {"http_status", 200}};
  CHECK(format_result_line(r) ==
        R"({"probe":"web-01.http","ts":"2026-10-01T08:00:00.125Z","status":"down","message":"timeout after 5000 ms","agent":"dc1-agent-01","metrics":{"loss_percent":33.3,"http_status":200}})" "\n");
}

TEST_CASE("json strings are always valid UTF-8: invalid bytes become U+FFFD, valid sequences stay") {
  std::string out;
  append_json_string(out, "a\xff" "b");
  CHECK(out == "\"a\xEF\xBF\xBD" "b\"");
  out.clear();
  append_json_string(out, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");  // é € 😀
  CHECK(out == "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
  out.clear();
  append_json_string(out, "\xC0\xAF|\xED\xA0\x80|\xF4\x90\x80\x80|\xE2\x82");  // overlong, surrogate, > U+10FFFF, cut
  CHECK(out.find('\xC0') == std::string::npos);
  CHECK(out.find('\xED') == std::string::npos);
  CHECK(out.find('\xF4') == std::string::npos);
  CHECK(out == "\"\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
              "\xEF\xBF\xBD\xEF\xBF\xBD\"");
}
