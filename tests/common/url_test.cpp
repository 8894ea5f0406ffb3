// common/url.h: HTTP URLs that can never be fetched are refused; credentials never printed.
#include <doctest/doctest.h>

#include "common/url.h"

using namespace slamon;

TEST_CASE("HTTP URLs that can never run are refused with a reason") {
  for (const char* bad : {"http://host:99999/", "http://host:-1/", "http://[::1/", "http://host:80:80/",
                          "http://u:p@/", "http:///path", "http://host:0/", "http://ho st/", "http://host/\x01",
                          "ftp://host/", "http://host:65536/"}) {
    CAPTURE(bad);
    CHECK(check_http_url(bad).has_value());
  }
  for (const char* good : {"http://host/", "https://host:8443/a?b=c#d", "http://[::1]:8080/", "http://127.0.0.1",
                           "https://user:pw@host/", "http://host:65535/", "http://[fe80::1%25lo]/"}) {
    CAPTURE(good);
    CHECK_FALSE(check_http_url(good).has_value());
  }
  CHECK(*check_http_url("http://host:99999/") != "");
  CHECK(check_http_url("http://u:secret@host:99999/")->find("secret") == std::string::npos);
}

TEST_CASE("credentials in a URL are masked wherever it is printed") {
  CHECK(mask_url_credentials("ftp://admin:PASS@host/x") == "ftp://admin:***@host/x");
  CHECK(mask_url_credentials("https://TOKEN@host/") == "https://***@host/");
  CHECK(mask_url_credentials("https://a:b:c@host:1/p@q") == "https://a:***@host:1/p@q");
  CHECK(mask_url_credentials("http://host/p?u=a@b") == "http://host/p?u=a@b");
  CHECK(mask_url_credentials("not a url") == "not a url");
  CHECK(mask_url_credentials("http://u:p@[::1/") == "http://u:***@[::1/");
  CHECK(mask_url_credentials("http://h/\n") == "http://h/?");
}

TEST_CASE("header names are tokens and values have no control characters") {
  CHECK(valid_header_name("X-Api-Key"));
  CHECK_FALSE(valid_header_name("Bad Name"));
  CHECK_FALSE(valid_header_name("X\r\nInjected"));
  CHECK_FALSE(valid_header_name(""));
  CHECK(valid_header_value("Bearer abc\tdef"));
  CHECK_FALSE(valid_header_value("abc\r\nX-Evil: 1"));
  CHECK_FALSE(valid_header_value(std::string("a\0b", 3)));
}
